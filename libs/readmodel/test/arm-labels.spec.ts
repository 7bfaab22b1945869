import { noPlans } from '@trial/contracts';
// Arm labels must not unblind. An arm labelled `all` was taken for the pooled
// row of the monitor's at-risk table, and an arm `__proto__` vanished from the stored snapshot
// (so two pooled reads told its size). Whatever the labels, the monitor's view is the same
// function of the pooled data: it has one shape and no figure that depends on the arms.
import fc from 'fast-check';
import type { TrialRegistered } from '@trial/contracts';
import { analyse, blindedView, TrialCohort, type BlindedAnalysis, type Observation } from '../src';

const design = (arms: string[]): TrialRegistered => ({
  v: 2,
  type: 'TrialRegistered',
  ...noPlans(),
  eventId: 'e',
  trialId: 'T',
  title: 'T',
  arms,
  referenceArm: arms[0],
  plannedEvents: 10,
  alpha: 0.05,
  sided: 2,
  looks: [1],
  spending: 'obrien-fleming',
});
const ctx = (arms: string[] | null) => ({ trialId: 'T', design: arms ? design(arms) : null, eventsApplied: 0, dataComplete: {} });

interface Patient {
  arm: number;
  time: number;
  status: 0 | 1;
  site: number;
  month: number;
}
const observations = (patients: readonly Patient[], label: (p: Patient) => string): Observation[] =>
  patients.map((p, i) => ({
    patientId: `P${i}`,
    arm: label(p),
    site: ['KCH', 'BHI', 'RBH'][p.site],
    randomisedOn: `2007-0${p.month}-01`,
    time: p.time,
    status: p.status,
  }));

/** The cohort as the projector holds it: built, stored as JSON, read back. */
const stored = (obs: Observation[]): TrialCohort => TrialCohort.fromSnapshot(JSON.parse(JSON.stringify(TrialCohort.of(obs).snapshot())));

/** The keys of a value, all the way down (arrays by their first element; a leaf, number or null, is a leaf): the view's shape. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, shape((v as Record<string, unknown>)[k])]),
    );
  return 'leaf';
}

const patients = (n: number): Patient[] =>
  Array.from({ length: n }, (_, i) => ({
    arm: i % 2,
    time: 20 + ((i * 37) % 700),
    status: (i % 3 === 0 ? 1 : 0) as 0 | 1,
    site: i % 3,
    month: 1 + (i % 9),
  }));

describe('arm labels and the monitor view', () => {
  const pooledOnly = (ps: Patient[]): BlindedAnalysis => blindedView(analyse(stored(observations(ps, () => 'x')), ctx(null)));

  it('an arm labelled all adds nothing to the monitor view: one at-risk row, the pooled one', () => {
    const ps = patients(40);
    const view = blindedView(analyse(stored(observations(ps, (p) => ['all', 'B'][p.arm])), ctx(['all', 'B'])));
    expect(view.atRisk.groups).toHaveLength(1);
    expect(view).toEqual(pooledOnly(ps));
  });

  it('an arm labelled __proto__ survives the stored snapshot and counts in every figure', () => {
    const ps = patients(40);
    const obs = observations(ps, (p) => ['__proto__', 'constructor'][p.arm]);
    const a = analyse(stored(obs), ctx(['__proto__', 'constructor']));
    expect(a.accrual.byArm).toEqual([
      { arm: '__proto__', n: 20 },
      { arm: 'constructor', n: 20 },
    ]);
    expect(blindedView(a)).toEqual(pooledOnly(ps));
    expect(stored(obs).pooled.n).toBe(40);
  });

  it('for any labels, the monitor view has one shape and equals the view of the same patients in one arm', () => {
    const label = fc.oneof(
      fc.constantFrom('all', 'ALL', 'pooled', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '', ' '),
      fc.string({ unit: 'grapheme', maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 6 }),
    );
    const patient = fc.record({
      arm: fc.nat({ max: 3 }),
      time: fc.integer({ min: 0, max: 900 }),
      status: fc.constantFrom<0 | 1>(0, 1),
      site: fc.nat({ max: 2 }),
      month: fc.integer({ min: 1, max: 9 }),
    });
    const reference = shape(pooledOnly(patients(12)));
    fc.assert(
      fc.property(fc.uniqueArray(label, { minLength: 1, maxLength: 4 }), fc.array(patient, { minLength: 1, maxLength: 50 }), (labels, ps) => {
        const byLabel = (p: Patient) => labels[p.arm % labels.length];
        const view = blindedView(analyse(stored(observations(ps, byLabel)), ctx(labels)));
        const pooled = pooledOnly(ps);
        if (view.readout.ok) expect(shape(view)).toEqual(reference);
        expect(view.atRisk.groups.map((g) => g.group)).toEqual(['all']);
        expect(view.deathRate.arm).toBe('all');
        if (view.readout.ok) expect(view.readout.value.groups.map((g) => g.group)).toEqual(['all']);
        expect(view).toEqual(pooled);
      }),
      { numRuns: 300 },
    );
  });
});
