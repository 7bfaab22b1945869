import { analyse, TrialCohort, type Observation } from '../src';

const ctx = { trialId: 'T', design: null, eventsApplied: 0, dataComplete: {} };
const obs = (i: number, time: number, status: 0 | 1): Observation => ({
  patientId: `P${i}`,
  arm: i % 2 ? 'IABP' : 'control',
  site: i % 3 ? 'KCH' : 'BHI',
  randomisedOn: `2007-0${1 + (i % 9)}-01`,
  time,
  status,
});

describe('TrialCohort', () => {
  const final = Array.from({ length: 40 }, (_, i) => obs(i, 30 + ((i * 37) % 400), (i % 3 === 0 ? 1 : 0) as 0 | 1));

  it('given changes applied one patient at a time, when analysed, then it equals the cohort built from the final observations', () => {
    const live = new TrialCohort();
    // Each patient first censored early, then moved to their final observation (a death linked later).
    for (const o of final) live.apply(null, { ...o, time: 10, status: 0 });
    for (const o of final) live.apply({ ...o, time: 10, status: 0 }, o);
    expect(analyse(live, ctx)).toEqual(analyse(TrialCohort.of(final), ctx));
  });

  it('given the same observations projected twice, then the analyses are identical', () => {
    expect(analyse(TrialCohort.of(final), ctx)).toEqual(analyse(TrialCohort.of([...final].reverse()), ctx));
  });

  it('given a snapshot, when restored, then the analysis is unchanged', () => {
    const c = TrialCohort.of(final);
    expect(analyse(TrialCohort.fromSnapshot(JSON.parse(JSON.stringify(c.snapshot()))), ctx)).toEqual(analyse(c, ctx));
  });

  it('given a patient leaves the analysis, then accrual and tables drop them', () => {
    const c = TrialCohort.of(final);
    c.apply(final[0], null);
    expect(c.pooled.n).toBe(39);
    expect(c.accrualRows().reduce((s, r) => s + r.n, 0)).toBe(39);
  });
});
