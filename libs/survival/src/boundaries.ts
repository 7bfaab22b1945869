// Group-sequential efficacy boundaries by Lan-DeMets alpha spending, computed by the
// recursive numerical integration of Armitage, McPherson & Rowe (1969), as rpact and gsDesign
// do (Jennison & Turnbull 2000, ch. 19), not by simulation.
import { dnorm, pnorm, qnorm } from './dist';
import { SurvivalError } from './errors';

export type Spending = 'obrien-fleming' | 'pocock';

export interface BoundariesOptions {
  /** Information fractions of the looks, strictly increasing in (0, 1]. */
  info: readonly number[];
  /** Total (over both sides when sided = 2) type I error; default 0.05. */
  alpha?: number;
  sided?: 1 | 2;
  spending?: Spending;
}

export interface BoundaryLook {
  info: number;
  /** Critical value: reject when |Z| >= z (two-sided) or Z >= z (one-sided). */
  z: number;
  /** One-sided nominal level 1 - Phi(z) (rpact's stageLevels). */
  nominalP: number;
  /** Alpha spent up to this look (rpact's alphaSpent). */
  cumulativeAlpha: number;
}

export interface BoundariesResult {
  spending: Spending;
  alpha: number;
  sided: 1 | 2;
  looks: BoundaryLook[];
}

/**
 * Cumulative alpha spent at information fraction t (Lan & DeMets 1983).
 * O'Brien-Fleming type: sided * 2 (1 - Phi(z_{1 - a/2} / sqrt t)) with a = alpha / sided;
 * Pocock type: alpha ln(1 + (e - 1) t). Both equal alpha at t = 1.
 * Reference: rpact typeOfDesign "asOF" and "asP" (Kim & DeMets 1987 forms).
 */
export function spendAlpha(spending: Spending, alpha: number, sided: 1 | 2, t: number): number {
  switch (spending) {
    case 'obrien-fleming': {
      const a = alpha / sided;
      return sided * 2 * pnorm(-qnorm(1 - a / 2) / Math.sqrt(t));
    }
    case 'pocock':
      return alpha * Math.log(1 + (Math.E - 1) * t);
    default: {
      const never: never = spending;
      throw new SurvivalError('INVALID_OPTION', `unknown spending function ${String(never)}`);
    }
  }
}

// Lower truncation of the one-sided continuation region: P(Z < -9) ~ 1e-19 is negligible.
const LOWER_LIMIT = -9;
// Grid spacing: at most MAX_STEP, and at least STEPS_PER_SD points per standard deviation of
// the next look's transition kernel, so Simpson's rule resolves it (error well below 1e-9).
const MAX_STEP = 0.01;
const STEPS_PER_SD = 20;

interface Grid {
  z: Float64Array;
  /** Simpson weight times the sub-density of Z_k (no earlier crossing) at z. */
  wh: Float64Array;
}

function simpsonGrid(lo: number, hi: number, step: number): { z: Float64Array; w: Float64Array } {
  let intervals = Math.max(2, Math.ceil((hi - lo) / step));
  if (intervals % 2 === 1) intervals++;
  const h = (hi - lo) / intervals;
  const z = new Float64Array(intervals + 1);
  const w = new Float64Array(intervals + 1);
  for (let i = 0; i <= intervals; i++) {
    z[i] = i === intervals ? hi : lo + i * h;
    w[i] = ((i === 0 || i === intervals ? 1 : i % 2 === 1 ? 4 : 2) * h) / 3;
  }
  return { z, w };
}

/** P(cross at this look without earlier crossing) for boundary c, given the previous grid,
 *  and its derivative in c (for Newton's method). */
function crossingProbability(prev: Grid, tPrev: number, t: number, c: number, sided: 1 | 2): [number, number] {
  const sd = Math.sqrt(t - tPrev);
  const st = Math.sqrt(t);
  const sp = Math.sqrt(tPrev);
  let p = 0;
  let dp = 0;
  for (let i = 0; i < prev.z.length; i++) {
    const mean = prev.z[i] * sp;
    const up = (mean - c * st) / sd;
    let q = pnorm(up); // upper tail, computed as a lower tail for precision
    let dq = -dnorm(up);
    if (sided === 2) {
      const low = (-c * st - mean) / sd;
      q += pnorm(low);
      dq -= dnorm(low);
    }
    p += prev.wh[i] * q;
    dp += prev.wh[i] * dq;
  }
  return [p, (dp * st) / sd];
}

/** Root of prob(c) = target (prob decreases in c): Newton's method safeguarded by a
 *  bisection bracket, to 1e-12. */
function solveBoundary(prob: (c: number) => [number, number], target: number, guess: number): number {
  let lo = 0;
  let hi = 40;
  if (prob(lo)[0] < target) {
    throw new SurvivalError('INVALID_OPTION', 'alpha to spend at a look exceeds what any boundary can spend');
  }
  let c = Math.min(Math.max(guess, lo), hi);
  for (let it = 0; it < 200; it++) {
    const [p, dp] = prob(c);
    if (p > target) lo = c;
    else hi = c;
    let next = c - (p - target) / dp;
    if (!(next > lo && next < hi) || !Number.isFinite(next)) next = (lo + hi) / 2;
    if (Math.abs(next - c) < 1e-12 || hi - lo < 1e-12) return next;
    c = next;
  }
  return c;
}

/**
 * Lan-DeMets efficacy boundaries at the given information fractions.
 * Method: under H0 the standardized statistics Z_k have independent increments with
 * corr(Z_j, Z_k) = sqrt(t_j / t_k). Look 1: z_1 = Phi^-1(1 - a_1 / sided). Look k: the
 * sub-density of Z_{k-1} over the continuation region ((-z, z) two-sided, (-inf, z) one-sided)
 * is propagated by Simpson's rule on a fine grid (recursive integration of Armitage, McPherson
 * & Rowe), and z_k solves P(cross at k, not before) = a(t_k) - a(t_{k-1}) by bisection.
 * Assumes H0 (no drift), efficacy bounds only (no futility), sided = 2 symmetric.
 * Reference: rpact getDesignGroupSequential(kMax, alpha, sided, informationRates,
 * typeOfDesign = "asOF" | "asP"); Jennison & Turnbull 2000, ch. 19; Lan & DeMets 1983.
 * Cost O(K N^2) for K looks and N grid points (a few thousand).
 */
export function lanDeMetsBoundaries(options: BoundariesOptions): BoundariesResult {
  const alpha = options.alpha ?? 0.05;
  const sided = options.sided ?? 2;
  const spending = options.spending ?? 'obrien-fleming';
  const info = options.info;
  if (!(alpha > 0 && alpha < 1)) throw new SurvivalError('INVALID_OPTION', `alpha must be in (0, 1), got ${alpha}`);
  if (sided !== 1 && sided !== 2) throw new SurvivalError('INVALID_OPTION', `sided must be 1 or 2, got ${String(sided)}`);
  if (info.length === 0) throw new SurvivalError('INVALID_OPTION', 'at least one information fraction is needed');
  info.forEach((t, k) => {
    if (!(Number.isFinite(t) && t > 0 && t <= 1) || (k > 0 && !(t > info[k - 1]))) {
      throw new SurvivalError('INVALID_OPTION', `information fractions must increase strictly within (0, 1], got ${info.join(',')}`);
    }
  });

  const looks: BoundaryLook[] = [];
  let grid: Grid | null = null;
  let spent = 0;
  for (let k = 0; k < info.length; k++) {
    const t = info[k];
    const cumulative = spendAlpha(spending, alpha, sided, t);
    const target = cumulative - spent;
    let c: number;
    if (k === 0) {
      c = -qnorm(target / sided);
    } else {
      const prev: Grid = grid as Grid;
      const tPrev = info[k - 1];
      c = solveBoundary((x) => crossingProbability(prev, tPrev, t, x, sided), target, -qnorm(target / sided));
    }
    looks.push({ info: t, z: c, nominalP: pnorm(-c), cumulativeAlpha: cumulative });
    spent = cumulative;
    if (k + 1 < info.length) grid = propagate(grid, k === 0 ? 0 : info[k - 1], t, info[k + 1], c, sided);
  }
  return { spending, alpha, sided, looks };
}

/** Sub-density of Z at look t over its continuation region, on a grid fine enough for the
 *  transition to tNext. prev = null means the first look (density phi). */
function propagate(prev: Grid | null, tPrev: number, t: number, tNext: number, c: number, sided: 1 | 2): Grid {
  const kernelSd = Math.sqrt((tNext - t) / t);
  const step = Math.min(MAX_STEP, kernelSd / STEPS_PER_SD);
  const { z, w } = simpsonGrid(sided === 2 ? -c : Math.min(LOWER_LIMIT, -c), c, step);
  const wh = new Float64Array(z.length);
  if (prev === null) {
    for (let i = 0; i < z.length; i++) wh[i] = w[i] * dnorm(z[i]);
    return { z, wh };
  }
  // f(z | z') = sqrt(t / dt) phi((z sqrt t - z' sqrt tPrev) / sqrt dt)
  const sdt = Math.sqrt(t - tPrev);
  const st = Math.sqrt(t);
  const sp = Math.sqrt(tPrev);
  for (let i = 0; i < z.length; i++) {
    let dens = 0;
    const zi = z[i] * st;
    for (let j = 0; j < prev.z.length; j++) dens += prev.wh[j] * dnorm((zi - prev.z[j] * sp) / sdt);
    wh[i] = (w[i] * dens * st) / sdt;
  }
  return { z, wh };
}
