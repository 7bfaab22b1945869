import { ageBand, ageOn, causeInRanges, decode, enrollmentEvent, noPlans, storedDesign } from './index';
import { ENROLLED_AS } from '../../../test/support/feeds';

/** TrialRegistered and PatientRandomised v2, and the upcasters from v1. */
const v1Trial = {
  v: 1,
  type: 'TrialRegistered',
  eventId: 't1',
  trialId: 'BCIS-1',
  title: 'BCIS-1',
  arms: ['control', 'IABP'],
  referenceArm: 'control',
  plannedEvents: 100,
  alpha: 0.05,
  sided: 2,
  looks: [0.5, 0.75, 1],
  spending: 'obrien-fleming',
};
const v1Patient = {
  v: 1,
  type: 'PatientRandomised',
  eventId: 'p1',
  trialId: 'BCIS-1',
  patientId: 'P1',
  arm: 'IABP',
  randomisedOn: '2006-03-14',
  site: 'KCH',
  ...ENROLLED_AS,
  givenNames: 'John',
  postcode: null,
};
const v2Trial = {
  ...v1Trial,
  v: 2,
  futility: { spending: 'obrien-fleming', beta: 0.2 },
  designHazardRatio: 0.7,
  allocationRatio: 1,
  stratificationFactors: ['region'],
  subgroups: [
    { variable: 'sex', from: 'sex' },
    { variable: 'AGEGR1', from: 'age', cuts: [75] },
    { variable: 'region', from: 'stratum' },
  ],
  endpoints: [{ code: 'CVDEATH', name: 'Cardiovascular death', icd10: [{ from: 'I00', to: 'I99' }] }],
};
const read = (json: unknown) => decode(enrollmentEvent, JSON.stringify(json));
const reason = (json: unknown) => {
  const r = read(json);
  return r.ok ? null : r.error.reason;
};

describe('upcasting v1 enrolment events', () => {
  it('reads a v1 TrialRegistered as v2 with no futility, no design HR, 1:1 and no analysis plan', () => {
    expect(read(v1Trial)).toEqual({ ok: true, value: { ...v1Trial, v: 2, ...noPlans() } });
  });
  it('reads a v1 PatientRandomised as v2 with no strata and no covariates', () => {
    expect(read(v1Patient)).toEqual({ ok: true, value: { ...v1Patient, v: 2, strata: {}, covariates: {} } });
  });
  it('upcasts in the schema itself, so a reader that parses without decode() meets v2 too', () => {
    expect(enrollmentEvent.parse(v1Patient)).toEqual({ ...v1Patient, v: 2, strata: {}, covariates: {} });
  });
  it('leaves v2 events and other types as they are', () => {
    expect(read(v2Trial)).toEqual({ ok: true, value: v2Trial });
    const seen = { v: 1, type: 'PatientSeenAlive', eventId: 's', trialId: 'T', patientId: 'P', seenOn: '2007-01-01' };
    expect(read(seen)).toEqual({ ok: true, value: seen });
  });
  it('reads a design stored before v2 (rm_trials, snapshots) as the upcast event, and null as null', () => {
    expect(storedDesign(v1Trial)).toEqual({ ...v1Trial, v: 2, ...noPlans() });
    expect(storedDesign(null)).toBeNull();
    expect(() => storedDesign({ ...v1Trial, arms: 'x' })).toThrow(/arms/);
  });
  it('a v2 event must carry its plans: a v2 missing them is refused, not defaulted', () => {
    expect(reason({ ...v1Trial, v: 2 })).toMatch(/futility/);
    expect(reason({ ...v1Patient, v: 2 })).toMatch(/strata/);
  });
});

describe('TrialRegistered v2 plans', () => {
  it('futility beta is given exactly when futility is spent', () => {
    expect(reason({ ...v2Trial, futility: { spending: 'none', beta: 0.2 } })).toMatch(/futility\.beta/);
    expect(reason({ ...v2Trial, futility: { spending: 'pocock', beta: null } })).toMatch(/futility\.beta/);
    expect(read({ ...v2Trial, futility: { spending: 'none', beta: null } }).ok).toBe(true);
  });
  it('refuses a stratum subgroup that is not a stratification factor, repeated variables and codes', () => {
    expect(reason({ ...v2Trial, stratificationFactors: [] })).toMatch(/subgroups/);
    expect(
      reason({
        ...v2Trial,
        subgroups: [
          { variable: 'sex', from: 'sex' },
          { variable: 'sex', from: 'site' },
        ],
      }),
    ).toMatch(/subgroups/);
    expect(reason({ ...v2Trial, endpoints: [v2Trial.endpoints[0], v2Trial.endpoints[0]] })).toMatch(/endpoints/);
  });
  it('refuses names that cannot be SAS variables or object keys, and malformed ICD-10 ranges', () => {
    expect(reason({ ...v2Trial, stratificationFactors: ['__proto__'] })).toMatch(/stratificationFactors/);
    expect(reason({ ...v2Trial, stratificationFactors: ['constructor'] })).toMatch(/reserved-name/);
    expect(reason({ ...v2Trial, endpoints: [{ code: 'ACM', name: 'x', icd10: [{ from: 'I00', to: 'I99' }] }] })).toMatch(/ACM/);
    expect(reason({ ...v2Trial, endpoints: [{ code: 'CV', name: 'x', icd10: [{ from: 'I99', to: 'I00' }] }] })).toMatch(/icd10/);
    expect(reason({ ...v2Trial, endpoints: [{ code: 'CV', name: 'x', icd10: [{ from: 'heart', to: 'I99' }] }] })).toMatch(/ICD-10/);
    expect(reason({ ...v2Trial, subgroups: [{ variable: 'AGEGR1', from: 'age', cuts: [75, 65] }] })).toMatch(/increase/);
  });
  it('a v2 patient carries strata and covariates keyed by variable name', () => {
    const p = { ...v1Patient, v: 2, strata: { region: 'London' }, covariates: { diabetes: 'Y' } };
    expect(read(p)).toEqual({ ok: true, value: p });
    expect(reason({ ...p, strata: { region: '' } })).toMatch(/strata/);
    expect(reason({ ...p, covariates: { 'bad name': 'Y' } })).toMatch(/covariates/);
  });
});

describe('plan helpers (hand-computed)', () => {
  it('matches an underlying cause on its three-character category', () => {
    const cv = [{ from: 'I00', to: 'I99' }];
    expect(['I21.9', 'I219', 'I00', 'I99', 'i50'].map((c) => causeInRanges(c, cv))).toEqual([true, true, true, true, true]);
    expect(['C34.1', 'J18', 'H99', 'J00', '', null].map((c) => causeInRanges(c, cv))).toEqual([false, false, false, false, false, false]);
  });
  it('counts age in whole years at randomisation and bands it at the cuts', () => {
    expect([ageOn('1941-02-03', '2016-02-02'), ageOn('1941-02-03', '2016-02-03'), ageOn('1940-02-29', '2015-02-28')]).toEqual([74, 75, 74]);
    expect([60, 74, 75, 90].map((a) => ageBand(a, [75]))).toEqual(['<75', '<75', '>=75', '>=75']);
    expect([64, 65, 74, 75].map((a) => ageBand(a, [65, 75]))).toEqual(['<65', '65-74', '65-74', '>=75']);
  });
});
