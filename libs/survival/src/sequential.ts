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
// rpact's quadrature, kept so that boundaries agree with it (the contract's reference) to
// 1e-8 rather than to its own error: bounds clipped to [-6, 8] (C_FUTILITY_BOUNDS_DEFAULT,
// C_UPPER_BOUNDS_DEFAULT) and the composite 7-point closed Newton-Cotes rule on 91 equally
// spaced points (15 panels of 6) across each look's continuation region. A fixed grid is
// coarse for a very small information increment (0.97 to 1: z about 3e-5 off a fine grid),
// and rpact is then matched, not the exact value.
const LOWEST = -6;
const HIGHEST = 8;
/** The largest bound the recursion holds (rpact's C_UPPER_BOUNDS_DEFAULT): a bound above it is this one. */
export const CLIP_TOP = HIGHEST;
const PANELS = 15;
const POINTS = PANELS * 6 + 1;
const PANEL_WEIGHTS = [82, 216, 27, 272, 27, 216];

/** A bound as rpact integrates it: clipped to [-6, 8]. */
export function clipBound(x: number): number {
  return Math.min(Math.max(x, LOWEST), HIGHEST);
}

/**
 * rpact's C_FUTILITY_BOUNDS_DEFAULT: the lower bound of a look that has none, as rpact writes it
 * in its decision matrix (the first look, which rpact does not clip below, sees -6 too).
 */
export const NO_LOWER_BOUND = LOWEST;

/**
 * A bound at the first look, as rpact's getGroupSequentialProbabilitiesCpp takes it: clipped
 * above at 8 only, since it takes the first look's pnorm before it clips the lower row at -6
 * (a two-sided -c below -6 counts as it is). The grid for the next look is clipped as usual.
 */
function firstLookBound(x: number): number {
  return Math.min(x, HIGHEST);
}

/** How a look's bounds are clipped: firstLookBound at the first look, clipBound after it. */
function boundClip(first: boolean): (x: number) => number {
  return first ? firstLookBound : clipBound;
}

function phi(x: number): number {
  return INV_SQRT_2PI * exp(-0.5 * x * x);
}

/** Sub-density of Z at one look over its continuation region, on the quadrature grid: wh[i]
 *  is the quadrature weight times the density of (Z_k = z[i], no stop at looks 1..k). */
export interface LookDensity {
  t: number;
  z: Float64Array;
  wh: Float64Array;
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

/** P(no stop before this look, lower <= Z_t < upper), bounds clipped to [-6, 8] (at the first
 *  look above only: firstLookBound), as rpact's rows 2 - 1 of getGroupSequentialProbabilities. It is also the probability of reaching the next
 *  look: rpact takes that (its row 3) from these pnorm sums, not from the mass of the quadrature
 *  grid, which differs from it when the next increment is small against the grid's step. */
export function probabilityWithin(prev: LookDensity | null, t: number, lower: number, upper: number): number {
  const clip = boundClip(prev === null);
  return probabilityBelow(prev, t, clip(upper)) - probabilityBelow(prev, t, clip(lower));
}

/**
 * The sub-density at look t over the continuation region (lower, upper) (clipped to [-6, 8]),
 * from the previous look's (null: t is the first look, density phi).
 * f_k(z) = int f_{k-1}(y) sqrt(t_k / dt) phi((z sqrt t_k - y sqrt t_{k-1}) / sqrt dt) dy.
 * Returns an empty grid when the region is empty (every path has stopped).
 */
export function continueAt(prev: LookDensity | null, t: number, lower: number, upper: number): LookDensity {
  const lo = clipBound(lower);
  const hi = clipBound(upper);
  if (!(hi > lo)) return { t, z: new Float64Array(0), wh: new Float64Array(0) };
  const h = (hi - lo) / (POINTS - 1);
  const z = new Float64Array(POINTS);
  const wh = new Float64Array(POINTS);
  for (let i = 0; i < POINTS; i++) {
    z[i] = lo + i * h;
    wh[i] = ((i === 0 || i === POINTS - 1 ? 41 : PANEL_WEIGHTS[i % 6]) * 6 * h) / 840;
  }
  if (prev === null) {
    for (let i = 0; i < POINTS; i++) wh[i] *= phi(z[i]);
    return { t, z, wh };
  }
  const sdt = Math.sqrt(t - prev.t);
  const st = Math.sqrt(t);
  const sp = Math.sqrt(prev.t);
  const scale = st / sdt;
  const n = prev.z.length;
  const py = new Float64Array(n);
  for (let j = 0; j < n; j++) py[j] = (prev.z[j] * sp) / sdt;
  for (let i = 0; i < POINTS; i++) {
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
 *  before the look and, at it, Z < lower (row 1), Z >= upper (row 3 - row 2), any Z (row 3, the
 *  previous look's within-bounds probability; see probabilityWithin). */
export interface LookProbabilities {
  below: number;
  above: number;
  reached: number;
}

/**
 * P(continue to look k, then Z_k < lower_k / Z_k >= upper_k) for every look, without drift.
 * Method: recursive numerical integration (Armitage, McPherson & Rowe 1969), rpact's
 * Newton-Cotes grid (see above); bounds clipped to [-6, 8] as rpact does.
 * Reference: rpact getGroupSequentialProbabilities(decisionMatrix = rbind(lower, upper),
 * informationRates); Jennison & Turnbull 2000, section 19.2.
 */
export function sequentialProbabilities(lower: readonly number[], upper: readonly number[], info: readonly number[]): LookProbabilities[] {
  const out: LookProbabilities[] = [];
  let prev: LookDensity | null = null;
  let reached = 1;
  for (let k = 0; k < info.length; k++) {
    const t = info[k];
    const clip = boundClip(k === 0);
    const l = clip(lower[k]);
    const u = clip(upper[k]);
    const below = probabilityBelow(prev, t, l);
    const belowUpper = probabilityBelow(prev, t, u);
    // rpact's row 3 - row 2: reaching the look less staying below its upper bound.
    out.push({ below, above: reached - belowUpper, reached });
    reached = belowUpper - below;
    if (k + 1 < info.length) prev = continueAt(prev, t, l, u);
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
