// The numerical core of group-sequential designs: the joint distribution of the standardized
// statistics Z_1..Z_K at information fractions t_1 < ... < t_K, computed by the recursive
// numerical integration of Armitage, McPherson & Rowe (1969) (Jennison & Turnbull 2000, ch. 19),
// as rpact's getGroupSequentialProbabilities does, not by simulation.
//
// Model: Z_k = W(t_k) / sqrt(t_k) for a standard Brownian motion W without drift, so that
// corr(Z_j, Z_k) = sqrt(t_j / t_k). A drift (an alternative) is handled by the caller by shifting
// the bounds, exactly as rpact does: Z_k - delta sqrt(t_k) is driftless.
import { pnorm } from './dist';

// Bound once: in the inner loops a global lookup per call (slow inside a vm context, as under
// jest) would cost more than the exponential itself.
const exp = Math.exp;

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
// Truncation of the continuation region: P(|Z| > 9) ~ 2e-19 is negligible.
const LIMIT = 9;
// Grid spacing: at most MAX_STEP, and at least STEPS_PER_SD points per standard deviation of
// the next look's transition kernel, so Simpson's rule resolves it. At 0.05 the sub-densities
// (scale ~1) integrate to ~1e-8: the rpact cases agree to 4e-8 in z and 3e-8 in probability,
// as at 0.01, for an eighth of the time (the O(N^2) convolution dominates).
const MAX_STEP = 0.05;
const STEPS_PER_SD = 20;

function phi(x: number): number {
  return INV_SQRT_2PI * exp(-0.5 * x * x);
}

/** Sub-density of Z at one look over its continuation region, on a Simpson grid: wh[i] is the
 *  Simpson weight times the density of (Z_k = z[i], no stop at looks 1..k). */
export interface LookDensity {
  t: number;
  z: Float64Array;
  wh: Float64Array;
}

/** P(no stop before this look, Z_t >= c); prev = null for the first look. */
export function probabilityAbove(prev: LookDensity | null, t: number, c: number): number {
  if (prev === null) return pnorm(-c);
  const sd = Math.sqrt(t - prev.t);
  const st = Math.sqrt(t);
  const sp = Math.sqrt(prev.t);
  let p = 0;
  for (let i = 0; i < prev.z.length; i++) p += prev.wh[i] * pnorm((prev.z[i] * sp - c * st) / sd);
  return p;
}

/** P(no stop before this look, Z_t < c); prev = null for the first look. */
export function probabilityBelow(prev: LookDensity | null, t: number, c: number): number {
  if (prev === null) return pnorm(c);
  const sd = Math.sqrt(t - prev.t);
  const st = Math.sqrt(t);
  const sp = Math.sqrt(prev.t);
  let p = 0;
  for (let i = 0; i < prev.z.length; i++) p += prev.wh[i] * pnorm((c * st - prev.z[i] * sp) / sd);
  return p;
}

/** P(no stop before this look): the mass of the previous sub-density. */
export function probabilityReached(prev: LookDensity | null): number {
  if (prev === null) return 1;
  let p = 0;
  for (let i = 0; i < prev.wh.length; i++) p += prev.wh[i];
  return p;
}

/**
 * The sub-density at look t over the continuation region (lower, upper), from the previous
 * look's (null: t is the first look, density phi). tNext sets the grid spacing.
 * f_k(z) = int f_{k-1}(y) sqrt(t_k / dt) phi((z sqrt t_k - y sqrt t_{k-1}) / sqrt dt) dy.
 * Returns an empty grid when the region is empty (every path has stopped).
 */
export function continueAt(prev: LookDensity | null, t: number, lower: number, upper: number, tNext: number): LookDensity {
  const lo = Math.max(lower, -LIMIT);
  const hi = Math.min(upper, LIMIT);
  if (!(hi > lo)) return { t, z: new Float64Array(0), wh: new Float64Array(0) };
  const kernelSd = Math.sqrt((tNext - t) / t);
  const step = Math.min(MAX_STEP, kernelSd / STEPS_PER_SD);
  let intervals = Math.max(2, Math.ceil((hi - lo) / step));
  if (intervals % 2 === 1) intervals++;
  const h = (hi - lo) / intervals;
  const z = new Float64Array(intervals + 1);
  const wh = new Float64Array(intervals + 1);
  for (let i = 0; i <= intervals; i++) {
    z[i] = i === intervals ? hi : lo + i * h;
    wh[i] = ((i === 0 || i === intervals ? 1 : i % 2 === 1 ? 4 : 2) * h) / 3;
  }
  if (prev === null) {
    for (let i = 0; i < z.length; i++) wh[i] *= phi(z[i]);
    return { t, z, wh };
  }
  const sdt = Math.sqrt(t - prev.t);
  const st = Math.sqrt(t);
  const sp = Math.sqrt(prev.t);
  const scale = st / sdt;
  const n = prev.z.length;
  const py = new Float64Array(n);
  for (let j = 0; j < n; j++) py[j] = (prev.z[j] * sp) / sdt;
  for (let i = 0; i < z.length; i++) {
    const zi = (z[i] * st) / sdt;
    let dens = 0;
    for (let j = 0; j < n; j++) {
      const d = zi - py[j];
      dens += prev.wh[j] * exp(-0.5 * d * d);
    }
    wh[i] *= dens * INV_SQRT_2PI * scale;
  }
  return { t, z, wh };
}

/** One look's probabilities, as the rows of rpact's getGroupSequentialProbabilities: no stop
 *  before the look and, at it, Z < lower (row 1), Z >= upper (row 3 - row 2), any Z (row 3). */
export interface LookProbabilities {
  below: number;
  above: number;
  reached: number;
}

/**
 * P(continue to look k, then Z_k < lower_k / Z_k >= upper_k) for every look, without drift.
 * Method: recursive numerical integration (Armitage, McPherson & Rowe 1969), Simpson's rule.
 * Reference: rpact getGroupSequentialProbabilities(decisionMatrix = rbind(lower, upper),
 * informationRates); Jennison & Turnbull 2000, section 19.2.
 */
export function sequentialProbabilities(lower: readonly number[], upper: readonly number[], info: readonly number[]): LookProbabilities[] {
  const out: LookProbabilities[] = [];
  let prev: LookDensity | null = null;
  for (let k = 0; k < info.length; k++) {
    const t = info[k];
    out.push({ below: probabilityBelow(prev, t, lower[k]), above: probabilityAbove(prev, t, upper[k]), reached: probabilityReached(prev) });
    if (k + 1 < info.length) prev = continueAt(prev, t, lower[k], upper[k], info[k + 1]);
  }
  return out;
}

/** Root of a decreasing function f on [lo, hi] by bisection to tol (f(lo) >= 0 >= f(hi) is
 *  assumed; the nearer end is returned when it does not hold). */
export function bisectDecreasing(f: (x: number) => number, lo: number, hi: number, tol: number): number {
  if (f(lo) <= 0) return lo;
  if (f(hi) >= 0) return hi;
  for (let it = 0; it < 200 && hi - lo > tol; it++) {
    const mid = (lo + hi) / 2;
    if (f(mid) > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
