// Kaplan-Meier estimation for one group: product-limit survival, Greenwood variance, pointwise
// confidence limits, quantiles (median), survival at chosen times and the restricted mean.
// Each function mirrors the R survival 3.5 code named in its comment, down to the treatment
// of the edge cases (S = 0, S = 1, a flat 0.5), because R is the reference the DSMB trusts.
import { qnorm } from './dist';
import { SurvivalError } from './errors';

export type ConfType = 'log' | 'log-log' | 'plain';

/** The curve of one group, one entry per distinct observed time (events or censorings). */
export interface KmCurve {
  readonly n: number;
  readonly time: ArrayLike<number>;
  readonly nRisk: Float64Array;
  readonly nEvent: ArrayLike<number>;
  readonly nCensor: ArrayLike<number>;
  /** S(t) just after each time. */
  readonly surv: Float64Array;
  /** Greenwood sum of d / (n (n - d)): the variance of log S(t). Infinity once S(t) = 0. */
  readonly varLog: Float64Array;
}

/** Standard error of S(t): S * sqrt(var log S), as summary.survfit's std.err; null where R
 *  gives NaN (S = 0, where the Greenwood sum is infinite). */
export function survStdErr(s: number, varLog: number): number | null {
  const se = s * Math.sqrt(varLog);
  return Number.isFinite(se) ? se : null;
}

/** The normal quantile for a two-sided level, as R's qnorm(1 - (1 - conf.int) / 2). */
export function confZ(confLevel: number): number {
  if (!(confLevel > 0 && confLevel < 1)) {
    throw new SurvivalError('INVALID_OPTION', `confidence level must be in (0, 1), got ${confLevel}`);
  }
  return qnorm(1 - (1 - confLevel) / 2);
}

/**
 * Pointwise confidence limits for S(t) from the standard error of log S (seLog), written to
 * lower[i] and upper[i] without allocation.
 * Method: log: S exp(-+ z se); log-log: exp(-exp(log(-log S) -+ z se / log S)); plain:
 * S -+ z S se. Limits capped to [0, 1] as R does (log-log needs no cap). Undefined (NaN) where
 * R gives NA or NaN: S = 0 for every type, and S = 1 for log-log.
 * Reference: R survival 3.5 survfit_confint (the same arithmetic, so results agree to rounding).
 * Cost O(1) (two exp and a log at most).
 */
export function confLimitsInto(
  s: number,
  seLog: number,
  confType: ConfType,
  z: number,
  lowerOut: Float64Array,
  upperOut: Float64Array,
  i: number,
): void {
  let lower: number;
  let upper: number;
  switch (confType) {
    case 'log': {
      if (s === 0) {
        lower = NaN;
        upper = NaN;
        break;
      }
      // (log S is computed once and used twice: the same double as computing it twice.)
      const logS = Math.log(s);
      const se2 = z * seLog;
      lower = Math.exp(logS - se2);
      upper = Math.min(Math.exp(logS + se2), 1);
      break;
    }
    case 'log-log': {
      if (s === 0 || s === 1) {
        lower = NaN;
        upper = NaN;
        break;
      }
      const logS = Math.log(s);
      const se2 = (z * seLog) / logS;
      const logMinusLogS = Math.log(-logS);
      lower = Math.exp(-Math.exp(logMinusLogS - se2));
      upper = Math.exp(-Math.exp(logMinusLogS + se2));
      break;
    }
    case 'plain': {
      const se2 = seLog * s * z;
      lower = Math.max(s - se2, 0);
      upper = Math.min(s + se2, 1);
      break;
    }
    default: {
      const never: never = confType;
      throw new SurvivalError('INVALID_OPTION', `unknown conf type ${String(never)}`);
    }
  }
  // Infinite or NaN limits are undefined (R's NA).
  lowerOut[i] = Number.isFinite(lower) ? lower : NaN;
  upperOut[i] = Number.isFinite(upper) ? upper : NaN;
}

// R's sqrt(.Machine$double.eps), the tolerance of quantile.survfit.
const QUANTILE_TOL = Math.sqrt(2.220446049250313e-16);

/**
 * The p-quantile of a step curve: the first time at which 1 - S >= p; where S equals 1 - p
 * (within sqrt(machine eps)) over an interval, the midpoint of that interval, and where it
 * stays there until the last time, the midpoint with that last time. NaN values of S (an
 * undefined band) are skipped. Null where the curve never reaches 1 - p.
 * Used with S, and with the lower and upper bands for the quantile's confidence interval.
 * Reference: R survival 3.5 quantile.survfit / findq, reproduced step for step (dedup of
 * equal levels, approx(method = "constant", f = 1) on y +- tol).
 * Cost O(m) for a monotone curve (O(m log m) otherwise); O(log m) with `nonIncreasing`.
 *
 * `nonIncreasing` promises that surv has no NaN and never increases (true of a Kaplan-Meier
 * S(t) by construction, as each factor (n - d) / n <= 1 and rounding is monotone); the
 * searches are then binary and give the same indices as the scans.
 */
export function curveQuantile(time: ArrayLike<number>, surv: ArrayLike<number>, p: number, nonIncreasing = false): number | null {
  const m = time.length;
  let maxY = 0;
  let firstNaN = -1;
  let firstOfMax = 0; // position in c(0, time): 0 is the prepended origin
  if (nonIncreasing) {
    // 1 - S is non-decreasing and >= 0: its maximum is the last value, first reached at the
    // first position holding it.
    if (m > 0 && 1 - surv[m - 1] > 0) {
      maxY = 1 - surv[m - 1];
      firstOfMax = firstAtLeastSorted(surv, m, maxY);
    }
  } else {
    // Fast path for the usual case, 1 - S non-decreasing wherever defined: equal levels are
    // then contiguous, so "first occurrence" and "smallest knot >= p" are plain forward scans.
    let monotone = true;
    for (let i = 0; i < m; i++) {
      const y = 1 - surv[i];
      if (y !== y) {
        if (firstNaN < 0) firstNaN = i + 1;
        continue;
      }
      if (y < maxY) {
        monotone = false;
        break;
      } else if (y > maxY) {
        maxY = y;
        firstOfMax = i + 1;
      }
    }
    if (!monotone) return curveQuantileGeneral(time, surv, p);
  }
  if (maxY < p) return null;
  // firstAtLeast(level, shift): position (in c(0, time)) of the first level >= `level`, -1
  // when p is below the smallest knot shifted by `shift` (the origin, y = 0) or above maxY.
  let i1 = -1;
  if (!(p < QUANTILE_TOL) && !(p - QUANTILE_TOL > maxY)) {
    i1 = p - QUANTILE_TOL <= 0 ? 0 : nonIncreasing ? firstAtLeastSorted(surv, m, p - QUANTILE_TOL) : firstAtLeastScan(surv, m, p - QUANTILE_TOL);
  }
  let i2 = -1;
  if (!(p < -QUANTILE_TOL) && !(p + QUANTILE_TOL > maxY)) {
    i2 = p + QUANTILE_TOL <= 0 ? 0 : nonIncreasing ? firstAtLeastSorted(surv, m, p + QUANTILE_TOL) : firstAtLeastScan(surv, m, p + QUANTILE_TOL);
  }
  let quant = i1 >= 0 && i2 >= 0 ? (xAtOrigin(time, i1) + xAtOrigin(time, i2)) / 2 : NaN;
  if (p === 0) quant = 0;
  // The last level kept by duplicated(): NA if the first NA comes after the last new level.
  const yLast = firstNaN > firstOfMax ? NaN : maxY;
  if (!Number.isNaN(yLast) && Math.abs(p - yLast) < QUANTILE_TOL) {
    quant = i1 >= 0 ? (xAtOrigin(time, i1) + xAtOrigin(time, m)) / 2 : NaN;
  }
  return Number.isNaN(quant) ? null : quant;
}

/** x of c(0, time) at position i. */
function xAtOrigin(time: ArrayLike<number>, i: number): number {
  return i === 0 ? 0 : time[i - 1];
}

/** Position in c(0, time) of the first row with 1 - S >= level (NaN rows never match), -1 if
 *  none. Linear scan, stopping at the match. O(position). */
function firstAtLeastScan(surv: ArrayLike<number>, m: number, level: number): number {
  for (let i = 0; i < m; i++) if (1 - surv[i] >= level) return i + 1;
  return -1;
}

/** firstAtLeastScan for a non-increasing S without NaN: binary search. O(log m). */
function firstAtLeastSorted(surv: ArrayLike<number>, m: number, level: number): number {
  let lo = 0;
  let hi = m;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (1 - surv[mid] >= level) hi = mid;
    else lo = mid + 1;
  }
  return lo < m ? lo + 1 : -1;
}

/** curveQuantile for a curve whose levels are not monotone (possible for a plain-type band):
 *  findq literally, with dedup by value and approx's sorting of the knots. */
function curveQuantileGeneral(time: ArrayLike<number>, surv: ArrayLike<number>, p: number): number | null {
  // Without a level within tol of p, the last-point rule cannot apply and the knots that
  // approx() picks are the first positions of the smallest levels >= p -+ tol: one scan.
  const m = time.length;
  let minY = 0;
  let maxY = 0;
  let v1 = Infinity;
  let j1 = -1;
  let v2 = Infinity;
  let j2 = -1;
  for (let i = 0; i <= m; i++) {
    const y = i === 0 ? 0 : 1 - surv[i - 1];
    if (Number.isNaN(y)) continue;
    if (Math.abs(y - p) < QUANTILE_TOL) return findqLiteral(time, surv, p);
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
    if (y >= p - QUANTILE_TOL && y < v1) {
      v1 = y;
      j1 = i;
    }
    if (y >= p + QUANTILE_TOL && y < v2) {
      v2 = y;
      j2 = i;
    }
  }
  if (maxY < p) return null;
  const inRange = (shift: number): boolean => p >= minY + shift && p <= maxY + shift;
  const xAt = (i: number): number => (i === 0 ? 0 : time[i - 1]);
  if (p === 0) return 0;
  if (!inRange(QUANTILE_TOL) || !inRange(-QUANTILE_TOL) || j1 < 0 || j2 < 0) return null;
  return (xAt(j1) + xAt(j2)) / 2;
}

/** findq exactly as R writes it (dedup by value, approx on the sorted knots). */
function findqLiteral(time: ArrayLike<number>, surv: ArrayLike<number>, p: number): number | null {
  // x = c(0, time), y = c(0, 1 - surv), as doquant builds them.
  const n0 = time.length + 1;
  const xAt = (i: number): number => (i === 0 ? 0 : time[i - 1]);
  const yAt = (i: number): number => (i === 0 ? 0 : 1 - surv[i - 1]);
  let maxY = -Infinity;
  for (let i = 0; i < n0; i++) {
    const y = yAt(i);
    if (!Number.isNaN(y) && y > maxY) maxY = y;
  }
  if (maxY < p) return null;
  const xmax = xAt(n0 - 1);
  // duplicated(y): keep the first occurrence of each value; NA (NaN) counts as one value.
  const xs: number[] = [];
  const ys: number[] = [];
  const seen = new Set<number>();
  let seenNaN = false;
  for (let i = 0; i < n0; i++) {
    const y = yAt(i);
    if (Number.isNaN(y)) {
      if (seenNaN) continue;
      seenNaN = true;
    } else {
      if (seen.has(y)) continue;
      seen.add(y);
    }
    xs.push(xAt(i));
    ys.push(y);
  }
  const n = ys.length;
  // approx(y +- tol, 1:n, p, "constant", f = 1): the index of the smallest knot >= p, among
  // the non-NA knots; NA when p is below the smallest knot or above the largest.
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (!Number.isNaN(ys[i])) order.push(i);
  let monotone = true;
  for (let k = 1; k < order.length; k++) if (ys[order[k]] < ys[order[k - 1]]) monotone = false;
  if (!monotone) order.sort((a, b) => ys[a] - ys[b]);
  const knotIndex = (shift: number): number => {
    const lo = ys[order[0]] + shift;
    const hi = ys[order[order.length - 1]] + shift;
    if (p < lo || p > hi) return -1;
    for (const i of order) if (ys[i] + shift >= p) return i;
    return -1;
  };
  const i1 = knotIndex(QUANTILE_TOL);
  const i2 = knotIndex(-QUANTILE_TOL);
  let quant = i1 >= 0 && i2 >= 0 ? (xs[i1] + xs[i2]) / 2 : NaN;
  if (p === 0) quant = xs[0];
  const yLast = ys[n - 1];
  if (!Number.isNaN(yLast) && Math.abs(p - yLast) < QUANTILE_TOL) {
    quant = i1 >= 0 ? (xs[i1] + xmax) / 2 : NaN;
  }
  return Number.isNaN(quant) ? null : quant;
}

/** One row of survival at a chosen time. */
export interface AtRow {
  time: number;
  nRisk: number;
  survival: number;
  stdErr: number | null;
  lower: number | null;
  upper: number | null;
}

/**
 * The `at` times as summary.survfit takes them: each a non-negative number (else
 * INVALID_OPTION), sorted into increasing order, repeats kept ("The vector will be sorted into
 * increasing order", ?summary.survfit, R survival 3.5), so the rows come out as R's do.
 */
export function atTimes(times: readonly number[] = []): number[] {
  for (const t of times) {
    if (!(Number.isFinite(t) && t >= 0)) throw new SurvivalError('INVALID_OPTION', `--at times must be non-negative numbers, got ${t}`);
  }
  return [...times].sort((a, b) => a - b);
}

/**
 * Survival at chosen times: S at the last step at or before t, with that step's standard
 * error and limits; before the first observed time S = 1, se = 0 and limits 1. nRisk is the
 * number still at risk at t (time >= t), 0 beyond the last observation.
 * Reference: R survival 3.5 summary(fit, times = t, extend = TRUE). Cost O(log m) per time.
 */
export function survivalAt(curve: KmCurve, band: { lower: Float64Array; upper: Float64Array }, t: number): AtRow {
  // k = number of rows with time <= t.
  let lo = 0;
  let hi = curve.time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (curve.time[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  const k = lo;
  const m = curve.time.length;
  let nRisk: number;
  if (k === 0) nRisk = curve.n;
  else if (curve.time[k - 1] === t) nRisk = curve.nRisk[k - 1];
  else nRisk = k < m ? curve.nRisk[k] : 0;
  if (k === 0) return { time: t, nRisk, survival: 1, stdErr: 0, lower: 1, upper: 1 };
  const i = k - 1;
  const s = curve.surv[i];
  return {
    time: t,
    nRisk,
    survival: s,
    stdErr: survStdErr(s, curve.varLog[i]),
    lower: Number.isNaN(band.lower[i]) ? null : band.lower[i],
    upper: Number.isNaN(band.upper[i]) ? null : band.upper[i],
  };
}

/**
 * Restricted mean survival time to tau and its standard error.
 * Method: area under the KM step curve from 0 to tau; variance sum over times t_i <= tau of
 * A_i^2 d_i / (n_i (n_i - d_i)), where A_i is the area under the curve from t_i to tau (a
 * time with n_i = d_i contributes 0, as R's survmean does).
 * Assumes tau >= 0. Reference: R survival 3.5 survmean, summary(fit, rmean = tau)$table
 * columns rmean and se(rmean); Klein & Moeschberger 2003, section 4.5. Cost O(m).
 */
export function restrictedMean(curve: KmCurve, tau: number): { tau: number; estimate: number; stdErr: number } {
  if (!(Number.isFinite(tau) && tau >= 0)) {
    throw new SurvivalError('INVALID_OPTION', `tau must be a finite non-negative number, got ${tau}`);
  }
  let kept = 0;
  while (kept < curve.time.length && curve.time[kept] <= tau) kept++;
  // Points temptime = (t_1..t_kept, tau) with survivals (S_1..S_kept, S_kept); rectangle j spans
  // (temptime_{j-1}, temptime_j] at height S_{j-1} (1 for the first).
  const rect = new Float64Array(kept + 1);
  let prevTime = 0;
  let prevSurv = 1;
  for (let j = 0; j <= kept; j++) {
    const tj = j < kept ? curve.time[j] : tau;
    rect[j] = (tj - prevTime) * prevSurv;
    prevTime = tj;
    if (j < kept) prevSurv = curve.surv[j];
  }
  let mean = 0;
  for (let j = 0; j <= kept; j++) mean += rect[j];
  // varmean = sum(cumsum(rev(rect[-1]))^2 * rev(hh)[-1]), accumulated from tau backwards.
  let varMean = 0;
  let area = 0;
  for (let j = kept; j >= 1; j--) {
    area += rect[j];
    const i = j - 1;
    const nr = curve.nRisk[i];
    const d = curve.nEvent[i];
    const hh = nr - d === 0 ? 0 : d / (nr * (nr - d));
    varMean += area * area * hh;
  }
  return { tau, estimate: mean, stdErr: Math.sqrt(varMean) };
}
