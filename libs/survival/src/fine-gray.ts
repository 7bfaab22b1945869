// The Fine-Gray subdistribution hazards model for a group factor, fitted as R survival does:
// finegray()'s censoring weights, then a weighted (start, stop] Cox model with the robust
// (sandwich) variance.
import { coxFit, CoxFit, Ties } from './cox';
import { timeOrder } from './aalen-johansen';
import { GrayInput } from './gray';
import { MergedTable } from './merge';
import { multiply, scoreResiduals, zeros } from './grouped-score';

export interface FineGrayFit {
  coef: number[];
  /** Model-based variance (inverse information of the weighted partial likelihood). */
  naiveVariance: number[][];
  /** Robust variance V M V, M the sum of squared weighted score residuals, one per row of
   *  finegray's expanded data (coxph's default clustering: each row its own cluster). */
  robustVariance: number[][];
  /**
   * Whether any of finegray's weights is fractional (a competing subject kept at risk past a
   * drop in the censoring G): coxph then reports the robust se, and otherwise (every weight 1,
   * e.g. no competing event before the last censoring) the model-based one (coxph's has.rwt).
   */
  fractionalWeights: boolean;
  fit: CoxFit;
}

/** Number of entries of the ascending array `a` that are <= x (or < x when strict). */
function countBelow(a: ArrayLike<number>, x: number, strict: boolean): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (strict ? a[mid] < x : a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Fine-Gray model `coxph(Surv(fgstart, fgstop, fgstatus) ~ group, weight = fgwt, data = fg)` with
 * `fg <- finegray(Surv(time, factor(status, c(0, causes))) ~ ., data, etype = cause)`.
 * Method (finegray): G is the Kaplan-Meier of censoring over all subjects (events before
 * censorings at tied times); with c_1 < c_2 < ... its jump times, a subject with a competing
 * event at T stays in the risk set after T, in the rows (c_{j-1}, c_j] after T that hold an event
 * of the cause, with weight G(c_{j-1}) / G(T-). At an event time t the weighted risk set of a
 * group is therefore N_g(t) + G(t-) sum_{competing i in g, T_i < t} 1 / G(T_i-), which is what is
 * fitted here (one row per event time, fractional numbers at risk) by the same Newton-Raphson
 * as coxFit (R's agfit4 with unit event weights: Efron or Breslow ties).
 * Robust variance: coxph's default for non-integer weights, V (sum_r w_r^2 U_r U_r') V with
 * U_r the score residual of expanded row r (agscore2, Efron-adjusted) and V the model-based
 * variance. Rows of one subject are separate clusters, as in R without an id; the rows'
 * residuals are differences of per-group cumulative sums and the added rows of a competing
 * subject are a suffix sum over censoring intervals, so no expanded data is built: O(n log n +
 * (m + c) k^2) for m event times and c censoring times, against O(rows) for finegray's data.
 * Grouped rows (input.counts, c subjects alike per row): subjects of one row are exchangeable,
 * so each has the row's score residual and the meat adds c U U' (c times one subject's square,
 * not the square of the row's sum); the risk sets and the censoring G are of the counts.
 * Assumes independent censoring (a censoring distribution common to the groups), proportional
 * subdistribution hazards; every group needs an event of the cause (NO_EVENTS otherwise).
 * Reference: Fine & Gray 1999, JASA 94:496-509; Geskus 2011, Biometrics 67:39-49; R survival 3.5
 * finegray() (finegray.c), agfit4.c, agscore2.c, coxph(robust = TRUE); Therneau, Crowson &
 * Atkinson, "Multi-state models and competing risks" (survival vignette).
 */
export function fineGray(input: GrayInput, k: number, cause: number, labels: readonly string[], ties: Ties): FineGrayFit {
  const n = input.times.length;
  const w = (i: number): number => (input.counts ? input.counts[i] : 1);
  const order = timeOrder(input.times);
  const p = k - 1;
  // Censoring Kaplan-Meier G: its jump times ct and values after each jump.
  const ct: number[] = [];
  const gAfter: number[] = [];
  const tau: number[] = []; // distinct event times of the cause
  const deaths: number[][] = Array.from({ length: k }, () => []);
  let remaining = 0;
  for (let i = 0; i < n; i++) remaining += w(i);
  let g = 1;
  for (let lo = 0; lo < n;) {
    const t = input.times[order[lo]];
    let events = 0;
    let censored = 0;
    const dk = new Array<number>(k).fill(0);
    let hi = lo;
    for (; hi < n && input.times[order[hi]] === t; hi++) {
      const code = input.codes[order[hi]];
      const wi = w(order[hi]);
      if (code === 0) censored += wi;
      else events += wi;
      if (code === cause) dk[input.group[order[hi]]] += wi;
    }
    if (dk.some((x) => x > 0)) {
      tau.push(t);
      for (let h = 0; h < k; h++) deaths[h].push(dk[h]);
    }
    if (censored > 0) {
      const risk = remaining - events;
      g *= (risk - censored) / risk;
      ct.push(t);
      gAfter.push(g);
    }
    remaining -= events + censored;
    lo = hi;
  }
  const maxTime = n > 0 ? input.times[order[n - 1]] : 0;
  const ct2 = [...ct, maxTime]; // interval j is (ct2[j-1], ct2[j]]
  const cp2 = [1, ...gAfter]; // G(t-) for t in interval j
  const interval = (t: number): number => countBelow(ct2, t, true);
  const m = tau.length;

  // Weighted numbers at risk per group at each event time.
  const nRisk = Array.from({ length: k }, () => new Float64Array(m));
  const nAtOrAfter = new Float64Array(k);
  for (let i = 0; i < n; i++) nAtOrAfter[input.group[i]] += w(i);
  const inverseG = new Float64Array(k); // sum of 1 / G(T_i-) over competing subjects gone
  // G(T-) of the first competing subject gone (the largest: G does not increase); its weight at
  // a later event time t is G(t-) / G(T-), fractional once G has dropped in between.
  let firstCompetingG = 0;
  let fractionalWeights = false;
  let next = 0;
  for (let e = 0; e < m; e++) {
    for (; next < n && input.times[order[next]] < tau[e]; next++) {
      const i = order[next];
      const gi = input.group[i];
      nAtOrAfter[gi] -= w(i);
      const code = input.codes[i];
      if (code !== 0 && code !== cause) {
        const gi0 = cp2[interval(input.times[i])];
        inverseG[gi] += w(i) / gi0;
        if (firstCompetingG === 0) firstCompetingG = gi0;
      }
    }
    const gMinus = cp2[interval(tau[e])];
    if (firstCompetingG > 0 && gMinus < firstCompetingG) fractionalWeights = true;
    for (let h = 0; h < k; h++) nRisk[h][e] = nAtOrAfter[h] + gMinus * inverseG[h];
  }
  const nEvent = deaths.map((d) => Float64Array.from(d));
  const totalEvent = new Float64Array(m);
  for (let e = 0; e < m; e++) for (let h = 0; h < k; h++) totalEvent[e] += nEvent[h][e];
  const table: MergedTable = { time: Float64Array.from(tau), nRisk, nEvent, totalEvent, totalCensor: new Float64Array(m) };
  const fit = coxFit(table, labels, { ties });

  const res = scoreResiduals(table, fit.coef, ties);
  // C[h][e]: cumulative non-death residual of group h over the first e event times.
  const cum = res.nonDeath.map((rows) => {
    const c: number[][] = [new Array<number>(p).fill(0)];
    for (const r of rows) c.push(c[c.length - 1].map((x, j) => x + r[j]));
    return c;
  });
  const upTo = (h: number, t: number): number[] => cum[h][countBelow(tau, t, false)];
  // Per group, suffix sums over censoring intervals of G(c_{j-1})^2 dC dC'.
  const nInt = ct2.length;
  const suffix = cum.map((c) => {
    const out: number[][][] = new Array<number[][]>(nInt + 1);
    out[nInt] = zeros(p);
    for (let j = nInt - 1; j >= 0; j--) {
      const hiC = c[countBelow(tau, ct2[j], false)];
      const loC = j === 0 ? c[0] : c[countBelow(tau, ct2[j - 1], false)];
      const w2 = cp2[j] * cp2[j];
      out[j] = out[j + 1].map((row, a) => row.map((x, b) => x + w2 * (hiC[a] - loC[a]) * (hiC[b] - loC[b])));
    }
    return out;
  });
  const meat = zeros(p);
  for (let i = 0; i < n; i++) {
    const h = input.group[i];
    const t = input.times[i];
    const code = input.codes[i];
    let u: number[];
    if (code === cause) {
      const e = countBelow(tau, t, true);
      u = cum[h][e].map((x, j) => x + res.death[h][e][j]);
    } else if (code === 0) {
      u = upTo(h, t);
    } else {
      const j = interval(t);
      u = upTo(h, ct2[j]);
      const extra = suffix[h][j + 1];
      const wx = w(i) / (cp2[j] * cp2[j]);
      for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) meat[a][b] += wx * extra[a][b];
    }
    const wi = w(i);
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) meat[a][b] += wi * u[a] * u[b];
  }
  const v = fit.variance;
  const robust = multiply(multiply(v, meat), v);
  return { coef: fit.coef, naiveVariance: v, robustVariance: robust, fractionalWeights, fit };
}
