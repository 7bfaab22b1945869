import { decode, enrollmentEvent, enrollmentKey, type InterimLookTaken } from './index';

/** InterimLookTaken v1: on trial.enrollments, keyed like TrialRegistered, no credential in it. */
const look: InterimLookTaken = {
  v: 1,
  type: 'InterimLookTaken',
  eventId: 'l1',
  trialId: 'BCIS-1',
  look: 1,
  asOf: '2026-01-01T12:00:00.000Z',
  dataCutoff: null,
  events: 25,
  z: -1.43,
  takenBy: 'dsmb-chair',
  takenAt: '2026-01-01T12:00:01.000Z',
};
const read = (json: unknown) => decode(enrollmentEvent, JSON.stringify(json));
const reason = (json: unknown) => {
  const r = read(json);
  return r.ok ? null : r.error.reason;
};

describe('InterimLookTaken', () => {
  it('reads as an enrolment event, keyed trialId: so it orders with TrialRegistered', () => {
    expect(read(look)).toEqual({ ok: true, value: look });
    expect(enrollmentKey(look)).toBe('BCIS-1:');
    expect(read({ ...look, dataCutoff: '2009-12-31' }).ok).toBe(true);
  });

  it.each([
    ['look 0', { look: 0 }, /look/],
    ['a fractional look', { look: 1.5 }, /look/],
    ['no events', { events: 0 }, /events/],
    ['a z that is not finite', { z: null }, /z/],
    ['an asOf that is not an instant', { asOf: 'yesterday' }, /asOf/],
    ['a bad data cutoff', { dataCutoff: '2009-02-30' }, /dataCutoff/],
    ['a token for who took it', { takenBy: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln' }, /takenBy: must be a subject, not a token/],
    ['nobody took it', { takenBy: ' ' }, /takenBy/],
  ])('refuses %s', (_name, change, why) => {
    expect(reason({ ...look, ...change })).toMatch(why);
  });
});
