// Small cases computed by hand with exact fractions, in the manner of R survival's book1 tests.
import { computeReadout, coxFit, mergeTables, SurvivalError, SurvivalTable, logRankTest } from '../src';

const near = (a: number | null | undefined, b: number, tol = 1e-12): void => {
  expect(a).not.toBeNull();
  expect(Math.abs((a as number) - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
};

describe('Kaplan-Meier by hand', () => {
  // t:      1    1    2    2    2    3    4    5
  // status: 1    0    1    1    0    0    1    0     (censorings tied with events at 1 and 2)
  const table = SurvivalTable.fromRows([1, 1, 2, 2, 2, 3, 4, 5], [1, 0, 1, 1, 0, 0, 1, 0]);
  const r = computeReadout(new Map([['all', table]]), { at: [0, 1.5, 4, 9], tau: 5 }).groups[0];

  test('survival, risk sets and Greenwood', () => {
    expect(r.km.map((k) => [k.time, k.nRisk, k.nEvent, k.nCensor])).toEqual([
      [1, 8, 1, 1],
      [2, 6, 2, 1],
      [3, 3, 0, 1],
      [4, 2, 1, 0],
      [5, 1, 0, 1],
    ]);
    // S = 7/8, 7/8 * 4/6 = 7/12, 7/12, 7/24, 7/24
    [7 / 8, 7 / 12, 7 / 12, 7 / 24, 7 / 24].forEach((s, i) => near(r.km[i].survival, s));
    // var log S at 4 = 1/(8*7) + 2/(6*4) + 1/(2*1) = 1/56 + 1/12 + 1/2 = 101/168
    near(r.km[3].stdErr, (7 / 24) * Math.sqrt(101 / 168));
    // log limits: S exp(+-1.959964 se)
    const z = 1.959963984540054;
    near(r.km[3].lower, Math.exp(Math.log(7 / 24) - z * Math.sqrt(101 / 168)));
  });

  test('median: first time S <= 0.5', () => {
    expect(r.median.estimate).toBe(4);
  });

  test('survival at chosen times', () => {
    expect(r.at.map((a) => [a.time, a.nRisk])).toEqual([
      [0, 8],
      [1.5, 6],
      [4, 2],
      [9, 0],
    ]);
    [1, 7 / 8, 7 / 24, 7 / 24].forEach((s, i) => near(r.at[i].survival, s));
    expect(r.at[0]).toMatchObject({ stdErr: 0, lower: 1, upper: 1 });
  });

  test('the at times sorted as summary.survfit sorts them, repeats kept', () => {
    // summary(survfit(Surv(c(1,1,2,2,2,3,4,5), c(1,0,1,1,0,0,1,0)) ~ 1), times = c(9, 1.5, 4, 1.5, 0), extend = TRUE)
    //   $time 0.0 1.5 1.5 4.0 9.0; $surv 1 0.875 0.875 0.2916667 0.2916667
    const shuffled = computeReadout(new Map([['all', table]]), { at: [9, 1.5, 4, 1.5, 0] }).groups[0];
    expect(shuffled.at.map((a) => a.time)).toEqual([0, 1.5, 1.5, 4, 9]);
    [1, 7 / 8, 7 / 8, 7 / 24, 7 / 24].forEach((s, i) => near(shuffled.at[i].survival, s));
  });

  test('restricted mean to 5', () => {
    // area = 1 + 7/8 + 2 * 7/12 + 7/24 = 1 + 21/24 + 28/24 + 7/24 = 80/24 = 10/3
    near(r.rmst?.estimate, 10 / 3);
    // A(1) = 7/8 + 14/12 + 7/24 = 56/24, A(2) = 35/24, A(4) = 7/24 (areas from each event time to 5)
    const v = (56 / 24) ** 2 / 56 + (35 / 24) ** 2 * (2 / 24) + (7 / 24) ** 2 / 2;
    near(r.rmst?.stdErr, Math.sqrt(v));
  });
});

describe('medians on flat 0.5 stretches (quantile.survfit midpoint rule)', () => {
  test('S = 0.5 on [2, 4): median is 3', () => {
    const t = SurvivalTable.fromRows([1, 2, 4, 5], [1, 1, 1, 0]);
    expect(computeReadout(new Map([['g', t]])).groups[0].median.estimate).toBe(3);
  });
  test('S = 0.5 from 2 to the last time 6: median is (2 + 6) / 2', () => {
    const t = SurvivalTable.fromRows([1, 2, 3, 6], [1, 1, 0, 0]);
    expect(computeReadout(new Map([['g', t]])).groups[0].median.estimate).toBe(4);
  });
  test('not reached: null, never a number or a string', () => {
    // S = 3/4 after time 1; its lower log limit 3/4 exp(-1.96 sqrt(1/12)) < 0.5 gives lower = 1.
    const t = SurvivalTable.fromRows([1, 2, 3, 6], [1, 0, 0, 0]);
    expect(computeReadout(new Map([['g', t]])).groups[0].median).toEqual({ estimate: null, lower: 1, upper: null });
  });
  test('a curve reaching 0: standard error and limits null there', () => {
    const t = SurvivalTable.fromRows([1, 2], [1, 1]);
    const row = computeReadout(new Map([['g', t]])).groups[0].km[1];
    expect(row).toEqual({ time: 2, nRisk: 1, nEvent: 1, nCensor: 0, survival: 0, stdErr: null, lower: null, upper: null });
    // Rows with a null are built apart (see readout.ts) but are plain objects like the others.
    expect(row).toStrictEqual({ time: 2, nRisk: 1, nEvent: 1, nCensor: 0, survival: 0, stdErr: null, lower: null, upper: null });
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.keys(row)).toEqual(['time', 'nRisk', 'nEvent', 'nCensor', 'survival', 'stdErr', 'lower', 'upper']);
  });
});

describe('log-rank and Cox by hand', () => {
  // A: (1, death), (3, censored); B: (2, death), (4, death).
  const a = SurvivalTable.fromRows([1, 3], [1, 0]);
  const b = SurvivalTable.fromRows([2, 4], [1, 1]);
  const merged = mergeTables([a, b]);

  test('log-rank: O - E = 1/6, V = 1/4 + 2/9 = 17/36, chi-square = 1/17', () => {
    near(logRankTest(merged).chiSquare, 1 / 17);
  });

  test('Cox (no tied deaths, so Efron = Breslow): beta = -log(2)/2 exactly', () => {
    // L(b) = b - log(2 + 2e^b) - log(1 + 2e^b); U(b) = 0 <=> e^{2b} = 1/2.
    for (const ties of ['efron', 'breslow'] as const) {
      const fit = coxFit(merged, ['A', 'B'], { ties });
      near(fit.coef[0], -Math.log(2) / 2, 1e-9);
      const x = Math.SQRT1_2;
      const info = x / (1 + x) ** 2 + (2 * x) / (1 + 2 * x) ** 2;
      near(fit.variance[0][0], 1 / info, 1e-9);
      near(fit.score, 1 / 17); // the score test is the log-rank test without ties
    }
  });

  test('Efron and Breslow differ with tied deaths', () => {
    // Two deaths at time 1, one in each arm, plus later deaths so each arm has events.
    const c = SurvivalTable.fromRows([1, 2, 5], [1, 1, 0]);
    const d = SurvivalTable.fromRows([1, 3, 4], [1, 1, 0]);
    const m = mergeTables([c, d]);
    // Breslow at b = 0 for the tied pair: 2 log(6); Efron: log(6) + log(6 - 1).
    const efron = coxFit(m, ['c', 'd'], { ties: 'efron' });
    const breslow = coxFit(m, ['c', 'd'], { ties: 'breslow' });
    near(efron.loglikNull, -(Math.log(6) + Math.log(5)) - Math.log(4) - Math.log(3));
    near(breslow.loglikNull, -2 * Math.log(6) - Math.log(4) - Math.log(3));
  });
});

describe('typed errors, never a silent NaN', () => {
  test('a group without events in Cox', () => {
    const m = mergeTables([SurvivalTable.fromRows([1, 2], [1, 1]), SurvivalTable.fromRows([1, 3], [0, 0])]);
    expect(() => coxFit(m, ['a', 'b'], { ties: 'efron' })).toThrow(expect.objectContaining({ code: 'NO_EVENTS' }));
  });
  test('non-convergence', () => {
    const m = mergeTables([SurvivalTable.fromRows([1, 2, 3], [1, 1, 0]), SurvivalTable.fromRows([1, 3, 4], [0, 1, 1])]);
    expect(() => coxFit(m, ['a', 'b'], { ties: 'efron', maxIter: 1 })).toThrow(expect.objectContaining({ code: 'NOT_CONVERGED' }));
  });
  test('a single group asked for a comparison', () => {
    const groups = new Map([['only', SurvivalTable.fromRows([1, 2], [1, 0])]]);
    expect(() => computeReadout(groups, { reference: 'only' })).toThrow(SurvivalError);
    expect(() => computeReadout(groups, { reference: 'only' })).toThrow(expect.objectContaining({ code: 'SINGLE_GROUP' }));
    expect(() => logRankTest(mergeTables([groups.get('only') as SurvivalTable]))).toThrow(expect.objectContaining({ code: 'SINGLE_GROUP' }));
    const one = computeReadout(groups);
    expect(one.logRank).toBeNull();
    expect(one.cox).toBeNull();
  });
  test('inestimableAsNull: a comparison not estimable yet is null with its reason, the curves are kept', () => {
    // a: deaths at 1 and 2; b: censored at 1 and 3. Log-rank by hand: at t=1, 4 at risk, 1 death,
    // E_a = 2/4, V = (2/4)(2/4)(3/3) = 1/4; at t=2, 2 at risk, E_a = 1/2, V = 1/4. O_a - E_a = 1,
    // chi-square = 1 / (1/2) = 2 on 1 df. Cox: b has no deaths, the hazard ratio is infinite.
    const oneArm = new Map([
      ['a', SurvivalTable.fromRows([1, 2], [1, 1])],
      ['b', SurvivalTable.fromRows([1, 3], [0, 0])],
    ]);
    expect(() => computeReadout(oneArm, { reference: 'a' })).toThrow(expect.objectContaining({ code: 'NO_EVENTS' }));
    const r = computeReadout(oneArm, { reference: 'a', inestimableAsNull: true });
    near(r.logRank?.chiSquare, 2);
    expect(r.cox).toBeNull();
    expect(r.notEstimable).toEqual({ logRank: null, cox: expect.stringMatching(/^NO_EVENTS: /) });
    expect(r.groups.map((g) => [g.group, g.events])).toEqual([
      ['a', 2],
      ['b', 0],
    ]);

    const noDeaths = new Map([
      ['a', SurvivalTable.fromRows([1, 2], [0, 0])],
      ['b', SurvivalTable.fromRows([1, 3], [0, 0])],
    ]);
    const none = computeReadout(noDeaths, { reference: 'a', inestimableAsNull: true });
    expect(none.logRank).toBeNull();
    expect(none.cox).toBeNull();
    expect(none.notEstimable?.logRank).toMatch(/^SINGLE_GROUP: /);
    expect(none.notEstimable?.cox).not.toBeNull();
    // Without the option, or with everything estimable, the read-out is the contract's shape.
    expect('notEstimable' in computeReadout(new Map([['all', SurvivalTable.fromRows([1], [1])]]))).toBe(false);
    const both = new Map([
      ['a', SurvivalTable.fromRows([1, 2], [1, 1])],
      ['b', SurvivalTable.fromRows([1, 3], [1, 0])],
    ]);
    expect('notEstimable' in computeReadout(both, { reference: 'a', inestimableAsNull: true })).toBe(false);
  });
  test('invalid observations and removals', () => {
    const t = new SurvivalTable();
    expect(() => t.add(-1, 1)).toThrow(expect.objectContaining({ code: 'INVALID_OBSERVATION' }));
    expect(() => t.add(Number.NaN, 0)).toThrow(expect.objectContaining({ code: 'INVALID_OBSERVATION' }));
    expect(() => t.remove(3, 1)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});
