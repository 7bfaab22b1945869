// ClosedCohort: the closed figures' sufficient statistics, maintained patient by patient. After
// any sequence of adds, changes (a cause recoded, a death withdrawn, a new stratum) and removals,
// its cells, and those of its stored form read back, give closedAnalysis's figures on the
// patients held then, exactly; an event touches one cell, the snapshot is keyed by the plan.
import fc from 'fast-check';
import type { TrialRegistered } from '@trial/contracts';
import type { FollowUp } from '@trial/followup';
import { ClosedCohort, closedAnalysis, closedFromCells, observationOf, planOf } from '../src';
import { design, followUp, type Person } from './adam-fixtures';

const plan: TrialRegistered = {
  ...design,
  subgroups: [...design.subgroups, { variable: 'region', from: 'stratum' }],
  endpoints: [...design.endpoints, { code: 'CANCER', name: 'Cancer death', icd10: [{ from: 'C00', to: 'C97' }] }],
};
const causes = ['I21.9', 'I50.0', 'C34.1', 'J18.9', null];
const personArb = (id: string) =>
  fc
    .record({
      arm: fc.constantFrom('control', 'IABP'),
      region: fc.constantFrom('London', 'North', undefined),
      sex: fc.constantFrom('M' as const, 'F' as const),
      born: fc.constantFrom('1925-05-01', '1941-02-03'),
      day: fc.integer({ min: 1, max: 6 }),
      dies: fc.boolean(),
      cause: fc.constantFrom(...causes),
    })
    .map((r): Person => ({
      id,
      arm: r.arm,
      region: r.region,
      sex: r.sex,
      born: r.born,
      death: r.dies ? { on: `2008-0${r.day}-1${r.day}`, cause: r.cause } : undefined,
      seen: r.dies ? undefined : `2009-0${r.day}-01`,
    }));
const reread = (c: ClosedCohort) =>
  ClosedCohort.cellsOf(planOf(plan), JSON.parse(JSON.stringify(c.snapshot())) as ReturnType<ClosedCohort['snapshot']>);

describe('ClosedCohort', () => {
  it('gives closedAnalysis on the patients held, after any sequence of changes, and so does its stored form', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `P${String(i).padStart(2, '0')}`);
    const steps = fc.array(
      fc.tuple(fc.constantFrom(...ids), fc.option(fc.constantFrom(...ids.map((id) => personArb(id))), { nil: undefined }), fc.boolean()),
      { minLength: 30, maxLength: 120 },
    );
    let estimated = 0;
    fc.assert(
      fc.property(fc.tuple(...ids.map(personArb)), steps, (people, changes) => {
        const held = new Map<string, FollowUp>();
        const c = new ClosedCohort(planOf(plan));
        for (const p of people) {
          const f = followUp(p);
          held.set(p.id, f);
          c.apply(null, observationOf(f));
        }
        for (const [id, , leaves] of changes) {
          const before = held.get(id) ?? null;
          const person = people[ids.indexOf(id)];
          // A change of the same patient: alive now, or dying of another cause on another day; or leaving.
          const changed = { ...person, death: person.death ? undefined : { on: '2008-02-02', cause: 'C34.1' }, seen: '2009-01-01' };
          const after = leaves ? null : followUp(changed);
          c.apply(before ? observationOf(before) : null, after ? observationOf(after) : null);
          if (after) held.set(id, after);
          else held.delete(id);
        }
        const expected = closedAnalysis(plan, [...held.values()]);
        expect(c.n).toBe(held.size);
        expect(closedFromCells(plan, c.cells())).toEqual(expected);
        expect(closedFromCells(plan, reread(c))).toEqual(expected);
        const breslow = { ties: 'breslow' as const, at: [100] };
        expect(closedFromCells(plan, reread(c), breslow)).toEqual(closedAnalysis(plan, [...held.values()], breslow));
        if (expected.byArm.stratified && expected.byArm.endpoints.CVDEATH.competingRisks?.fineGray) estimated++;
      }),
      { numRuns: 25 },
    );
    // The figures compared were estimated ones, not only nulls.
    expect(estimated).toBeGreaterThan(5);
  });

  it('counts patients alike in one cell, and an emptied cell leaves the snapshot', () => {
    const a = followUp({ id: 'A', arm: 'IABP', region: 'North', death: { on: '2008-01-01', cause: 'I21.9' } });
    const b = { ...followUp({ id: 'B', arm: 'IABP', region: 'North', death: { on: '2008-01-01', cause: 'I21.0' } }) };
    const c = ClosedCohort.of(plan, [a, b].map(observationOf));
    expect(c.cells()).toHaveLength(1);
    expect(c.cells()[0].count).toBe(2);
    c.apply(observationOf(a), null);
    c.apply(observationOf(b), null);
    expect(c.snapshot().cells).toEqual([]);
    expect(() => c.apply(observationOf(a), null)).toThrow(/no such patient/);
  });

  it('moves a patient whose cause of death is amended to another endpoint (the all-cause observation is unchanged)', () => {
    const cv = followUp({ id: 'A', arm: 'IABP', region: 'North', death: { on: '2008-01-01', cause: 'I21.9' } });
    const cancer: FollowUp = { ...cv, underlyingCause: 'C34.1' };
    const c = ClosedCohort.of(plan, [observationOf(cv)]);
    c.apply(observationOf(cv), observationOf(cancer));
    expect(c.cells().map((x) => x.codes)).toEqual([[2, 1]]);
  });

  it('knows the plan it is keyed under, whatever the key order of the stored design', () => {
    const c = ClosedCohort.of(plan, []);
    const reversed = plan.subgroups.map((s) => Object.fromEntries(Object.entries(s).reverse()));
    const reordered = JSON.parse(JSON.stringify({ ...plan, subgroups: reversed })) as TrialRegistered;
    expect(c.fits(reordered)).toBe(true);
    expect(c.fits(design)).toBe(false);
    expect(c.fits(null)).toBe(false);
    expect(c.snapshot().plan).toBe(c.planKey);
  });
});
