// closedAnalysis's inputs: where a subgroup level comes from, who is left out, and which
// trials have an analysis plan at all (a v1 trial's read-out gains nothing).
import { enrollmentEvent, noPlans, type TrialRegistered } from '@trial/contracts';
import { closedAnalysis, closedAtLook, hasAnalysisPlan, subgroupLevel } from '../src';
import { design, followUp } from './adam-fixtures';

describe('subgroupLevel', () => {
  const f = { ...followUp({ id: 'P1', sex: 'F', born: '1930-01-01', on: '2006-03-14', region: 'North' }), covariates: { diabetes: 'yes' } };
  it.each([
    [{ variable: 'sex', from: 'sex' as const }, 'F'],
    [{ variable: 'site', from: 'site' as const }, 'KCH'],
    [{ variable: 'region', from: 'stratum' as const }, 'North'],
    [{ variable: 'diabetes', from: 'covariate' as const }, 'yes'],
    [{ variable: 'age', from: 'age' as const, cuts: [65, 75] }, '>=75'],
    [{ variable: 'age', from: 'age' as const, cuts: [80] }, '<80'],
    [{ variable: 'smoker', from: 'covariate' as const }, null],
  ])('%j gives %p', (s, level) => expect(subgroupLevel(f, s)).toBe(level));
});

describe('closedAnalysis', () => {
  it('leaves a patient without a stratum value out of the stratified comparison and that subgroup only', () => {
    const people = Array.from({ length: 30 }, (_, i) =>
      followUp({
        id: `P${String(i).padStart(2, '0')}`,
        arm: i % 2 ? 'IABP' : 'control',
        region: i === 0 ? undefined : i % 4 < 2 ? 'London' : 'North',
        death: i % 3 === 0 ? { on: `2008-0${(i % 9) + 1}-11`, cause: 'I21.9' } : undefined,
      }),
    );
    const plan: TrialRegistered = {
      ...design,
      subgroups: [
        { variable: 'region', from: 'stratum' },
        { variable: 'sex', from: 'sex' },
      ],
    };
    const c = closedAnalysis(plan, people);
    expect(c.pooled.subgroups[0].levels.reduce((s, l) => s + l.n, 0)).toBe(29);
    expect(c.pooled.subgroups[1].levels.reduce((s, l) => s + l.n, 0)).toBe(30);
    expect(c.byArm.stratified?.strata).toEqual(['region']);
  });

  it('gives null figures, not an error, while there is one arm or no death of the cause', () => {
    const one = [
      followUp({ id: 'A', arm: 'IABP', region: 'North', death: { on: '2008-01-01', cause: 'C34.1' } }),
      followUp({ id: 'B', arm: 'IABP', region: 'North' }),
    ];
    const c = closedAnalysis(design, one);
    expect(c.byArm.stratified).toBeNull();
    expect(c.byArm.subgroups.map((s) => s.levels)).toEqual([[], []]);
    expect(c.byArm.endpoints.CVDEATH.competingRisks).toBeNull();
  });
});

describe('hasAnalysisPlan', () => {
  it('is false for no design and for a registration with no strata, subgroups or endpoints (a v1 trial upcast)', () => {
    expect(hasAnalysisPlan(null)).toBe(false);
    expect(hasAnalysisPlan({ ...design, ...noPlans() })).toBe(false);
    expect(hasAnalysisPlan(design)).toBe(true);
  });
});

describe('closedAtLook (the figures frozen with a look)', () => {
  const people = Array.from({ length: 20 }, (_, i) =>
    followUp({
      id: `P${String(i).padStart(2, '0')}`,
      arm: i % 2 ? 'IABP' : 'control',
      region: i % 4 < 2 ? 'London' : 'North',
      death: i % 3 === 0 ? { on: `2008-0${(i % 9) + 1}-11`, cause: i % 2 ? 'I21.9' : 'C34.1' } : undefined,
    }),
  );

  it("is closedAnalysis's by-arm cut under the look's design", () => {
    expect(closedAtLook(design, people)).toEqual(closedAnalysis(design, people).byArm);
  });

  it('is null for a v1 trial (upcast, no plan): its read-out has none', () => {
    const v1 = enrollmentEvent.parse({
      v: 1,
      type: 'TrialRegistered',
      eventId: 'reg',
      trialId: 'T',
      title: 'T',
      arms: ['control', 'IABP'],
      referenceArm: 'control',
      plannedEvents: 40,
      alpha: 0.05,
      sided: 2,
      looks: [1],
      spending: 'obrien-fleming',
    }) as TrialRegistered;
    expect(closedAtLook(v1, people)).toBeNull();
  });
});
