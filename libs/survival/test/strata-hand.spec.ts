// Hand-computed stratified log-rank test and Cox model, and the subgroup rules (contract
// stats-cli.md part 2), on data small enough to work out on paper.
import { CohortRows, coxFitCells, mergeTables, stratifiedComparison, subgroupAnalysis, SurvivalTable } from '../src';

const near = (a: number, b: number, tol = 1e-12): void => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));

function cohort(rows: Array<[number, number, string, string]>): { rows: CohortRows; covariate: string[] } {
  return {
    rows: { time: rows.map((r) => r[0]), event: rows.map((r) => r[1]), group: rows.map((r) => r[2]) },
    covariate: rows.map((r) => r[3]),
  };
}

describe('stratified log-rank test by hand', () => {
  // Stratum X: A dies at 1, B at 2. At t = 1: n = 2, E_A = 1/2, V = 1/4; at t = 2 only B is at risk.
  // Stratum Y: B dies at 1 (n = 4: E_A = 1/2, V = 1 * 3/3 * 1/2 * 1/2 = 1/4), A censored at 3,
  // A dies at 4 (n = 2: E_A = 1/2, V = 1/4), B dies at 5 alone.
  // O_A = 2, E_A = 3/2, V = 3/4: chi-square = (1/2)^2 / (3/4) = 1/3 on 1 df.
  const c = cohort([
    [1, 1, 'A', 'X'],
    [2, 1, 'B', 'X'],
    [1, 1, 'B', 'Y'],
    [3, 0, 'A', 'Y'],
    [4, 1, 'A', 'Y'],
    [5, 1, 'B', 'Y'],
  ]);
  const s = stratifiedComparison(c.rows, ['site'], [c.covariate], ['A', 'B']);

  test('chi-square 1/3 on 1 df', () => {
    near(s.logRank.chiSquare, 1 / 3);
    expect(s.logRank.df).toBe(1);
  });

  test('without tied deaths the stratified Cox score test is the stratified log-rank test', () => {
    near(s.cox.score.chiSquare, 1 / 3);
  });
});

describe('stratified Cox by hand: matched pairs', () => {
  // Each stratum is a pair, one per arm, the first death in the pair the only informative one:
  // its partial likelihood is e^(b x) / (1 + e^b). A dies first in m = 1 pair, B in q = 2, so
  // L(b) = 2 b - 3 log(1 + e^b), maximised at e^b = q / m = 2; information 3 e^b / (1 + e^b)^2 = 2/3.
  const c = cohort([
    [1, 1, 'A', 'p1'],
    [2, 1, 'B', 'p1'],
    [1, 1, 'B', 'p2'],
    [3, 0, 'A', 'p2'],
    [2, 1, 'B', 'p3'],
    [5, 1, 'A', 'p3'],
  ]);
  const s = stratifiedComparison(c.rows, ['pair'], [c.covariate], ['A', 'B'], { ties: 'breslow' });

  test('HR = 2, se = sqrt(3/2)', () => {
    const [t] = s.cox.terms;
    near(t.hazardRatio, 2, 1e-9);
    near(t.stdErr, Math.sqrt(1.5), 1e-9);
    // L(0) = -3 log 2; L(b) = 2 log 2 - 3 log 3; LR = 2 (L(b) - L(0)).
    near(s.cox.likelihoodRatio.chiSquare, 2 * (2 * Math.log(2) - 3 * Math.log(3) + 3 * Math.log(2)), 1e-9);
    // Score at 0: u = 2 - 3/2 = 1/2, I = 3/4: 1/3.
    near(s.cox.score.chiSquare, 1 / 3);
  });
});

describe('subgroups by hand', () => {
  const c = cohort([
    [1, 1, 'A', 'M'],
    [2, 1, 'B', 'M'],
    [3, 1, 'A', 'M'],
    [4, 0, 'B', 'M'],
    [1, 1, 'A', 'F'],
    [2, 0, 'B', 'F'],
    [5, 0, 'B', 'F'],
  ]);
  const sub = subgroupAnalysis(c.rows, 'sex', c.covariate, ['A', 'B']);

  test('levels sorted by label, with each group listed', () => {
    expect(sub.levels.map((l) => l.level)).toEqual(['F', 'M']);
    expect(sub.levels[0]).toMatchObject({
      n: 3,
      events: 1,
      groups: [
        { group: 'A', n: 1, events: 1 },
        { group: 'B', n: 2, events: 0 },
      ],
    });
    expect(sub.levels[1]).toMatchObject({
      n: 4,
      events: 3,
      groups: [
        { group: 'A', n: 2, events: 2 },
        { group: 'B', n: 2, events: 1 },
      ],
    });
  });

  test('a level where a group has no event: cox null; otherwise the Cox model of that level', () => {
    expect(sub.levels[0].cox).toBeNull();
    // M alone: A dies at 1 (at risk A1, A3, B2, B4), B at 2 (A3, B2, B4), A at 3 (A3, B4):
    // L(b) = -log(2 + 2e^b) + b - log(1 + 2e^b) - log(1 + e^b); the fit must be where L'(b) = 0.
    const b = sub.levels[1].cox?.terms[0].coef ?? NaN;
    const du = -(2 * Math.exp(b)) / (2 + 2 * Math.exp(b)) + 1 - (2 * Math.exp(b)) / (1 + 2 * Math.exp(b)) - Math.exp(b) / (1 + Math.exp(b));
    near(du, 0, 1e-8);
  });

  test('one level: no interaction, and the level is the whole cohort', () => {
    const one = subgroupAnalysis(
      c.rows,
      'all',
      c.covariate.map(() => 'x'),
      ['A', 'B'],
    );
    expect(one.interaction).toBeNull();
    expect(one.levels).toHaveLength(1);
    expect(one.levels[0].n).toBe(7);
  });
});

describe('categorical-design Cox', () => {
  test('an all-zero column is aliased (R: NA) and the rest fitted as without it', () => {
    const a = SurvivalTable.fromRows([1, 3, 4], [1, 1, 0]);
    const b = SurvivalTable.fromRows([2, 5, 6], [1, 0, 1]);
    const merged = mergeTables([a, b]);
    const withZero = coxFitCells(
      {
        x: [
          [0, 0],
          [1, 0],
        ],
        strata: [merged],
      },
      { ties: 'efron' },
    );
    const plain = coxFitCells({ x: [[0], [1]], strata: [merged] }, { ties: 'efron' });
    expect(withZero.kept).toEqual([true, false]);
    expect(withZero.fit.df).toBe(1);
    near(withZero.fit.coef[0], plain.fit.coef[0]);
    near(withZero.fit.loglik, plain.fit.loglik);
  });
});
