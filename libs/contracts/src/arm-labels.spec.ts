// Reserved or unsafe arm labels are refused when a trial is registered (and
// on a randomisation), with a coded reason, by the schema every consumer decodes with.
import { decode, enrollmentEvent } from './index';
import { ENROLLED_AS } from '../../../test/support/feeds';

const registered = (arms: string[], referenceArm = arms[0]) =>
  JSON.stringify({
    v: 1,
    type: 'TrialRegistered',
    eventId: 't1',
    trialId: 'T',
    title: 'T',
    arms,
    referenceArm,
    plannedEvents: 10,
    alpha: 0.05,
    sided: 2,
    looks: [1],
    spending: 'obrien-fleming',
  });
const randomised = (arm: string) =>
  JSON.stringify({
    v: 1,
    type: 'PatientRandomised',
    eventId: 'e1',
    trialId: 'T',
    patientId: 'P1',
    arm,
    randomisedOn: '2006-03-14',
    site: 'KCH',
    ...ENROLLED_AS,
    givenNames: 'John',
  });

describe('arm labels', () => {
  it.each(['all', 'All', 'POOLED', 'overall', 'total', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', ' all '])(
    'refuses the reserved label %j at registration and on a randomisation, with a coded reason',
    (label) => {
      const r = decode(enrollmentEvent, registered(['control', label], 'control'));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.reason).toMatch(/^arms\.1: reserved-arm-label: /);
      const p = decode(enrollmentEvent, randomised(label));
      expect(p.ok).toBe(false);
      if (!p.ok) expect(p.error.reason).toMatch(/^arm: reserved-arm-label: /);
    },
  );

  it.each([
    ['', /^arms\.1: is required/],
    ['   ', /^arms\.1: is required/],
    ['A\u0000', /^arms\.1: must not contain control characters/],
    ['A\u0007', /^arms\.1: must not contain control characters/],
    ['A\u0085', /^arms\.1: must not contain control characters/],
    ['A\ud800', /unpaired surrogate/],
  ])('refuses the unsafe label %j', (label, reason) => {
    const r = decode(enrollmentEvent, registered(['control', label], 'control'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.reason).toMatch(reason);
  });

  it('refuses a label given twice', () => {
    const r = decode(enrollmentEvent, registered(['A', 'A']));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.reason).toMatch(/^arms: duplicate-arm-label/);
  });

  it.each([
    ['control', 'IABP'],
    ['Allocation A', 'Pooled-care'],
    ['العلاج', 'плацебо'],
    ['arm 😀', 'all-comers'],
    ['Proto', 'constructors'],
  ])('accepts ordinary and unusual labels %j', (...arms) => {
    expect(decode(enrollmentEvent, registered(arms)).ok).toBe(true);
    expect(decode(enrollmentEvent, randomised(arms[1])).ok).toBe(true);
  });
});
