// The k-sample log-rank test.
import { pchisqUpper } from './dist';
import { SurvivalError } from './errors';
import { cholesky, quadFormInv } from './linalg';
import { MergedTable } from './merge';

export interface ChiSquareTest {
  chiSquare: number;
  df: number;
  pValue: number;
}

/**
 * Log-rank test of equal hazards across k >= 2 groups; given one merged table per stratum, the
 * stratified test.
 * Method: at each distinct event time with d deaths among n at risk (n_g in group g), the
 * expected deaths of group g are d n_g / n and the hypergeometric covariance is
 * d (n - d) / (n - 1) * (n_g / n) (delta_gh - n_h / n). Stratified: O, E and V are summed over
 * the strata, each stratum with its own risk sets. The statistic is
 * (O - E)' V^- (O - E) over the groups with positive expectation, leaving out the first of
 * them; df = (number of such groups) - 1, p from the chi-square upper tail.
 * Assumes independent right censoring; tied deaths share one risk set; strata are independent.
 * Reference: R survival 3.5 survdiff(Surv(time, status) ~ group) (rho = 0), and
 * survdiff(Surv(time, status) ~ group + strata(...)); Mantel 1966, Peto & Peto 1972.
 * Cost O(M k^2) for M distinct times (over all strata).
 */
export function logRankTest(merged: MergedTable | readonly MergedTable[]): ChiSquareTest {
  const strata: readonly MergedTable[] = isStrata(merged) ? merged : [merged];
  if (strata.length === 0) throw new SurvivalError('EMPTY', 'a stratified log-rank test needs at least one stratum');
  const k = strata[0].nRisk.length;
  if (k < 2) throw new SurvivalError('SINGLE_GROUP', 'the log-rank test needs at least two groups');
  if (k === 2 && strata.length === 1) return logRankTwoGroups(strata[0]);
  const observed = new Array<number>(k).fill(0);
  const expected = new Array<number>(k).fill(0);
  const v = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const stratum of strata) accumulate(stratum, observed, expected, v);
  const kept: number[] = [];
  for (let g = 0; g < k; g++) if (expected[g] > 0) kept.push(g);
  if (kept.length < 2) {
    throw new SurvivalError('SINGLE_GROUP', 'fewer than two groups are at risk at any event time; no log-rank test');
  }
  const idx = kept.slice(1);
  const diff = idx.map((g) => observed[g] - expected[g]);
  const vv = idx.map((g) => idx.map((h) => v[g][h]));
  const chiSquare = quadFormInv(cholesky(vv), diff);
  const df = kept.length - 1;
  return { chiSquare, df, pValue: pchisqUpper(chiSquare, df) };
}

function isStrata(x: MergedTable | readonly MergedTable[]): x is readonly MergedTable[] {
  return Array.isArray(x);
}

/** Adds one table's (one stratum's) observed, expected and covariance to the running sums. */
function accumulate(merged: MergedTable, observed: number[], expected: number[], v: number[][]): void {
  const k = merged.nRisk.length;
  const m = merged.time.length;
  for (let i = 0; i < m; i++) {
    const d = merged.totalEvent[i];
    if (d === 0) continue;
    let n = 0;
    for (let g = 0; g < k; g++) n += merged.nRisk[g][i];
    const factor = n > 1 ? (d * (n - d)) / (n * (n - 1)) : 0;
    for (let g = 0; g < k; g++) {
      const ng = merged.nRisk[g][i];
      observed[g] += merged.nEvent[g][i];
      expected[g] += (d * ng) / n;
      if (factor === 0 || ng === 0) continue;
      v[g][g] += (factor * ng * (n - ng)) / n;
      for (let h = g + 1; h < k; h++) {
        const cov = (factor * ng * merged.nRisk[h][i]) / n;
        v[g][h] -= cov;
        v[h][g] -= cov;
      }
    }
  }
}

/**
 * logRankTest for two groups: the statistic reads only group 1's O - E and variance (group 0
 * is the one left out), and group 0's expectation (to know that it is kept). The same
 * operations in the same order as the general loop, on scalars, so the result is identical.
 * Cost O(M).
 */
function logRankTwoGroups(merged: MergedTable): ChiSquareTest {
  const risk0 = merged.nRisk[0];
  const risk1 = merged.nRisk[1];
  const event1 = merged.nEvent[1];
  const total = merged.totalEvent;
  let expected0 = 0;
  let observed1 = 0;
  let expected1 = 0;
  let v11 = 0;
  const m = merged.time.length;
  for (let i = 0; i < m; i++) {
    const d = total[i];
    if (d === 0) continue;
    const n0 = risk0[i];
    const n1 = risk1[i];
    const n = 0 + n0 + n1;
    const factor = n > 1 ? (d * (n - d)) / (n * (n - 1)) : 0;
    expected0 += (d * n0) / n;
    observed1 += event1[i];
    expected1 += (d * n1) / n;
    if (factor === 0 || n1 === 0) continue;
    v11 += (factor * n1 * (n - n1)) / n;
  }
  if (!(expected0 > 0 && expected1 > 0)) {
    throw new SurvivalError('SINGLE_GROUP', 'fewer than two groups are at risk at any event time; no log-rank test');
  }
  const chiSquare = quadFormInv(cholesky([[v11]]), [observed1 - expected1]);
  return { chiSquare, df: 1, pValue: pchisqUpper(chiSquare, 1) };
}
