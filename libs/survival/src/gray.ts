// Gray's K-sample test for equality of cumulative incidence functions of one cause.
import gammainc from '@stdlib/math-base-special-gammainc';
import { cholesky, quadFormInv } from './linalg';
import { ChiSquareTest } from './logrank';
import { timeOrder } from './aalen-johansen';

export interface GrayInput {
  times: ArrayLike<number>;
  /** Group index 0..k-1 of each subject. */
  group: ArrayLike<number>;
  /** Event code of each subject: 0 censored, positive integers for the causes. */
  codes: ArrayLike<number>;
  /** Grouped rows: how many subjects alike each row stands for (absent: one each). */
  counts?: ArrayLike<number>;
}

/**
 * Gray's test (rho = 0, one stratum) that the cumulative incidence of `cause` is equal in the
 * k groups: the score s_g = sum_t [d_1g - d_1 R_g / R] over event times, with the weights
 * R_g = n_g (1 - F_g(t-)) / S_g(t-) (Gray 1988, eq. 2.3), and its variance from the
 * martingale representation (the a and c matrices of Gray's estimator, eq. 2.5-2.6, with the
 * tie corrections t5). The statistic s' V^-1 s over the first k - 1 groups is chi-square on
 * k - 1 df under the null; the quadratic form does not depend on which group is left out.
 * p = 1 - pchisq(stat, k - 1), computed as cmprsk does (the lower tail subtracted from 1), so
 * that it agrees with cmprsk also where the p-value is tiny.
 * Grouped rows (input.counts) give the test of the rows expanded: it reads only the numbers
 * at risk and dying per group and time.
 * Assumes independent censoring; other causes are competing events, code 0 is censored.
 * Returns null when V is singular (cmprsk reports stat = -1 then).
 * Reference: Gray RJ (1988), A class of K-sample tests for comparing the cumulative incidence
 * of a competing risk, Ann Stat 16:1141-54; R cmprsk 2.2 cuminc()$Tests (crstm.f), which this
 * follows step by step (in doubles, where crstm squares an integer risk-set size).
 * Cost O(n log n + m k^2) for m distinct times.
 */
export function grayTest(input: GrayInput, k: number, cause: number): ChiSquareTest | null {
  const n = input.times.length;
  const order = timeOrder(input.times);
  const rs = new Float64Array(k);
  const w = (i: number): number => (input.counts ? input.counts[i] : 1);
  for (let i = 0; i < n; i++) rs[input.group[i]] += w(i);
  const p = k - 1;
  const s = new Array<number>(p).fill(0);
  const v = matrix(p, p);
  const f1m = new Float64Array(k);
  const f1 = new Float64Array(k);
  const skmm = new Float64Array(k).fill(1);
  const skm = new Float64Array(k).fill(1);
  const v3 = new Float64Array(k);
  const v2 = matrix(p, k);
  const c = matrix(k, k);
  const a = matrix(k, k);
  const d1 = new Float64Array(k);
  const d2 = new Float64Array(k);
  const leaving = new Float64Array(k);
  let fm = 0;
  let f = 0;
  for (let lo = 0; lo < n;) {
    const t = input.times[order[lo]];
    d1.fill(0);
    d2.fill(0);
    leaving.fill(0);
    let hi = lo;
    for (; hi < n && input.times[order[hi]] === t; hi++) {
      const j = order[hi];
      const g = input.group[j];
      const wj = w(j);
      leaving[g] += wj;
      const code = input.codes[j];
      if (code === cause) d1[g] += wj;
      else if (code !== 0) d2[g] += wj;
    }
    let nd1 = 0;
    let nd2 = 0;
    for (let g = 0; g < k; g++) {
      nd1 += d1[g];
      nd2 += d2[g];
    }
    if (nd1 > 0 || nd2 > 0) {
      let tr = 0;
      let tq = 0;
      for (let g = 0; g < k; g++) {
        if (rs[g] <= 0) continue;
        skm[g] = (skmm[g] * (rs[g] - d1[g] - d2[g])) / rs[g];
        f1[g] = f1m[g] + (skmm[g] * d1[g]) / rs[g];
        tr += rs[g] / skmm[g];
        tq += (rs[g] * (1 - f1m[g])) / skmm[g];
      }
      f = fm + nd1 / tr;
      for (let i = 0; i < k; i++) {
        for (let j = i; j < k; j++) a[i][j] = 0;
        if (rs[i] <= 0) continue;
        const t1 = rs[i] / skmm[i];
        a[i][i] = t1 * (1 - t1 / tr);
        c[i][i] += (a[i][i] * nd1) / (tr * (1 - fm));
        for (let j = i + 1; j < k; j++) {
          if (rs[j] <= 0) continue;
          a[i][j] = (-t1 * rs[j]) / (skmm[j] * tr);
          c[i][j] += (a[i][j] * nd1) / (tr * (1 - fm));
        }
      }
      for (let i = 1; i < k; i++) {
        for (let j = 0; j < i; j++) {
          a[i][j] = a[j][i];
          c[i][j] = c[j][i];
        }
      }
      for (let i = 0; i < p; i++) {
        if (rs[i] > 0) s[i] += d1[i] - (nd1 * rs[i] * (1 - f1m[i])) / (skmm[i] * tq);
      }
      if (nd1 > 0) {
        for (let g = 0; g < k; g++) {
          if (rs[g] <= 0) continue;
          const t4 = skm[g] > 0 ? 1 - (1 - f) / skm[g] : 1;
          const t5 = nd1 > 1 ? 1 - (nd1 - 1) / (tr * skmm[g] - 1) : 1;
          const t3 = (t5 * skmm[g] * nd1) / (tr * rs[g]);
          v3[g] += t4 * t4 * t3;
          for (let i = 0; i < p; i++) {
            const t1 = a[i][g] - t4 * c[i][g];
            v2[i][g] += t1 * t4 * t3;
            for (let j = 0; j <= i; j++) v[i][j] += t1 * (a[j][g] - t4 * c[j][g]) * t3;
          }
        }
      }
      if (nd2 > 0) {
        for (let g = 0; g < k; g++) {
          if (skm[g] <= 0 || d2[g] <= 0) continue;
          const t4 = (1 - f) / skm[g];
          const t5 = d2[g] > 1 ? 1 - (d2[g] - 1) / (rs[g] - 1) : 1;
          const t3 = (t5 * (skmm[g] * skmm[g] * d2[g])) / (rs[g] * rs[g]);
          v3[g] += t4 * t4 * t3;
          for (let i = 0; i < p; i++) {
            const t1 = t4 * c[i][g];
            v2[i][g] -= t1 * t4 * t3;
            for (let j = 0; j <= i; j++) v[i][j] += t1 * (t4 * c[j][g]) * t3;
          }
        }
      }
    }
    for (let g = 0; g < k; g++) rs[g] -= leaving[g];
    fm = f;
    f1m.set(f1);
    skmm.set(skm);
    lo = hi;
  }
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      for (let g = 0; g < k; g++) v[i][j] += c[i][g] * c[j][g] * v3[g] + c[i][g] * v2[j][g] + c[j][g] * v2[i][g];
      v[j][i] = v[i][j];
    }
  }
  let stat: number;
  try {
    stat = quadFormInv(cholesky(v), s);
  } catch {
    return null;
  }
  if (!Number.isFinite(stat)) return null;
  return { chiSquare: stat, df: p, pValue: 1 - gammainc(stat / 2, p / 2, true, false) };
}

function matrix(rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
}
