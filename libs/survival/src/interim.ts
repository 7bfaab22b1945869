// The DSMB's decision at a look, for a survival trial analysed by the log-rank test in a
// group-sequential design: boundaries at the information actually reached, a non-binding
// futility boundary, repeated confidence intervals and p-values, conditional power and, once a
// boundary is crossed, the stage-wise adjusted final inference. rpact 3.3's
// getAnalysisResults(design, getDataset(overallEvents, overallLogRanks), directionUpper =
// FALSE) is the reference implementation; each function names the rpact quantity it computes.
//
// Sign convention: z is the log-rank z, negative when the experimental arm has fewer events
// than expected (HR < 1). The design works on rpact's scale, where benefit is positive: the
// statistic tested is s = -z.
import { pnorm, qnorm } from './dist';
import { Design, groupSequentialDesign, solveIncreasing, Spending } from './design';
import { SurvivalError } from './errors';
import { NO_LOWER_BOUND, sequentialProbabilities } from './sequential';

/** rpact's C_FUTILITY_BOUNDS_DEFAULT: "no futility bound" on the z scale. */
const NO_FUTILITY = NO_LOWER_BOUND;
/** rpact's C_QNORM_MAXIMUM: a critical value this large has no repeated CI. */
const QNORM_MAXIMUM = -qnorm(1e-16);
/** rpact's C_ANALYSIS_TOLERANCE_DEFAULT. */
const TOLERANCE = 1e-6;

export interface InterimOptions {
  plannedEvents: number;
  /** Cumulative events at each look taken, increasing. */
  events: readonly number[];
  /** Log-rank z at each look taken (negative favours the experimental arm). */
  z: readonly number[];
  /** Planned information rates (default [1]). */
  looks?: readonly number[];
  alpha?: number;
  sided?: 1 | 2;
  spending?: Spending;
  futility?: Spending | 'none';
  beta?: number;
  /** Hazard ratio the trial was powered for. */
  hr1?: number;
  /** Allocation ratio experimental : control. */
  allocation?: number;
}

export interface InterimLook {
  look: number;
  info: number;
  taken: boolean;
  events: number;
  z?: number;
  efficacyZ: number;
  futilityZ: number | null;
  cumulativeAlpha: number;
  action?: string;
  repeatedCi?: { lower: number | null; upper: number | null };
  repeatedP?: number | null;
  conditionalPower?: number;
}

export interface InterimFinal {
  look: number;
  pValue: number;
  lower: number | null;
  upper: number | null;
  medianUnbiased: number | null;
}
type Final = InterimFinal;

export interface InterimResult {
  plannedEvents: number;
  alpha: number;
  sided: 1 | 2;
  spending: Spending;
  futility: Spending | 'none';
  looks: InterimLook[];
  conditionalRejectionProbability: number | null;
  conditionalPower?: { hr1: number; final: number };
  conditionalPowerTrend?: { hr: number; final: number };
  /** Null until a boundary is crossed or the last look is taken. */
  final: InterimFinal | null;
}

/**
 * The design's information rates: the k rates taken (events / planned events or, once a look
 * reached the planned events, events / that look's events), then the planned rates from
 * position k + 1 on that lie above the last rate taken, then 1 if not reached. The i-th look
 * taken replaces the i-th planned look (contract part 3).
 */
export function designRates(plannedEvents: number, events: readonly number[], planned: readonly number[]): number[] {
  const reached = events.find((e) => e >= plannedEvents);
  const denominator = reached ?? plannedEvents;
  const rates = events.map((e) => e / denominator);
  const last = rates[rates.length - 1];
  for (const r of planned.slice(events.length)) if (r > last && r <= 1) rates.push(r);
  if (rates[rates.length - 1] < 1) rates.push(1);
  return rates;
}

/** Stage-wise ordering: the first look whose statistic crosses the efficacy boundary, or
 *  taken + K when none does (rpact .getStageGroupSeq, non-binding futility). */
function crossingLook(design: Design, s: readonly number[], sided: 1 | 2): number {
  for (let k = 0; k < s.length; k++) {
    if (s[k] >= design.criticalValues[k] || (sided === 2 && s[k] <= -design.criticalValues[k])) return k + 1;
  }
  return s.length + design.info.length;
}

/**
 * Repeated p-value at look k: the smallest level at which the same spending design (futility
 * ignored, as it is non-binding) rejects at look k, found by bisection on the level in
 * [1e-6, 0.5]; for a design of one look, its p-value. Reference: Jennison & Turnbull 2000, section 9.1; rpact getRepeatedPValues
 * (.getRepeatedPValuesGroupSequential).
 */
export function repeatedPValue(info: readonly number[], k: number, s: number, spending: Spending, sided: 1 | 2): number {
  if (!Number.isFinite(s) && s > 0) return TOLERANCE;
  const stat = sided === 2 ? Math.abs(s) : s;
  // One look is a fixed design, whose repeated p-value is its p-value, above 0.5 too (rpact, kMax = 1).
  if (info.length === 1) return sided * pnorm(-stat);
  const crit = (level: number): number => groupSequentialDesign({ info, alpha: level, sided, spending, upTo: k + 1 }).criticalValues[k];
  // crit decreases in the level: solve crit(level) = stat on [1e-6, 0.5] (rpact bisects to
  // 1e-6; regula falsi on log(level) reaches the same root in far fewer designs).
  if (crit(0.5) - stat > 0) return 0.5;
  if (crit(TOLERANCE) - stat < 0) return TOLERANCE;
  return Math.exp(solveIncreasing((x) => stat - crit(Math.exp(x)), Math.log(TOLERANCE), Math.log(0.5), 1e-8));
}

/**
 * Conditional probability of rejecting at the looks to come given the statistic s at look
 * `stage` (1-based), for a drift theta per unit of sqrt(events * r / (1 + r)^2), cumulated over
 * the looks to come. theta = 0 gives the conditional rejection probability (futility ignored,
 * non-binding); theta = -log(HR) the conditional power (rpact keeps the futility bounds there).
 * Method: the remaining increments form a Brownian motion on the rescaled information
 * (t_j - t_s) / (1 - t_s); the boundaries are shifted by the observed part and the drift,
 * as in rpact's .getConditionalPowerSurvivalGroupSequential and
 * .getConditionalRejectionProbabilitiesInverseNormalorGroupSequential; Jennison & Turnbull
 * 2000, section 10.2.
 */
function conditionalRejection(
  design: Design,
  sided: 1 | 2,
  stage: number,
  s: number,
  drift: { theta: number; nPlanned: readonly number[] } | null,
): number[] {
  const t = design.info;
  const K = t.length;
  const ts = t[stage - 1];
  const w = t.map((ti, i) => Math.sqrt(ti - (i === 0 ? 0 : t[i - 1])));
  const lower: number[] = [];
  const upper: number[] = [];
  const scaled: number[] = [];
  let driftSum = 0;
  for (let j = stage; j < K; j++) {
    const rest = Math.sqrt(t[j] - ts);
    const observed = (s * Math.sqrt(ts)) / rest;
    if (drift !== null) driftSum += Math.sqrt(drift.nPlanned[j - stage]) * w[j];
    const shift = drift === null ? 0 : (drift.theta * driftSum) / rest;
    const c = design.criticalValues[j];
    upper.push((c * Math.sqrt(t[j])) / rest - observed - shift);
    // rpact's two-sided CRP mirrors the shifted upper bound (-upper), not the lower boundary.
    if (sided === 2 && drift === null) lower.push(-((c * Math.sqrt(t[j])) / rest - observed));
    else if (sided === 2) lower.push((-c * Math.sqrt(t[j])) / rest - observed - shift);
    else if (drift === null || j === K - 1) lower.push(NO_FUTILITY);
    else lower.push((futilityAt(design, j) * Math.sqrt(t[j])) / rest - observed - shift);
    scaled.push((t[j] - ts) / (1 - ts));
  }
  const probs = sequentialProbabilities(lower, upper, scaled);
  const out: number[] = [];
  let sum = 0;
  for (const p of probs) {
    sum += p.above + (sided === 2 && drift === null ? p.below : 0);
    out.push(sum);
  }
  return out;
}

function futilityAt(design: Design, j: number): number {
  return design.futilityBounds === null ? NO_FUTILITY : design.futilityBounds[j];
}

/**
 * Stage-wise ordering final inference after stopping at look f (Jennison & Turnbull 2000,
 * section 8.4; Wassmer & Brannath 2016, section 4.1): the adjusted p-value is the probability
 * under H0 of stopping earlier for efficacy or at f with a larger statistic; the confidence
 * limits and median-unbiased estimate are the drifts at which that probability is alpha /
 * sided, 1 - alpha / sided and 1/2. At f = 1 these reduce to the fixed-sample ones.
 * Reference: rpact getFinalPValue, .getFinalConfidenceIntervalSurvivalGroupSequential,
 * .getDecisionMatrixRoot (futility ignored, non-binding).
 */
function finalInference(
  design: Design,
  sided: 1 | 2,
  alpha: number,
  f: number,
  s: readonly number[],
  z: readonly number[],
  events: readonly number[],
  r: number,
): Final {
  const se = (1 + r) / Math.sqrt(r * events[f - 1]);
  if (f === 1) {
    // rpact: the stage-1 p-value is one-sided even when sided = 2.
    const q = -qnorm(alpha / sided);
    const limits = [Math.exp(se * (z[0] - q)), Math.exp(se * (z[0] + q))].sort((a, b) => a - b);
    return { look: 1, pValue: pnorm(z[0]), lower: limits[0], upper: limits[1], medianUnbiased: Math.exp(se * z[0]) };
  }
  const info = design.info.slice(0, f);
  const sf = s[f - 1];
  const exceed = (stat: number, shift: (j: number) => number): number => {
    const lower = info.map((_, j) => NO_FUTILITY - shift(j));
    const upper = info.map((_, j) => (j < f - 1 ? design.criticalValues[j] : stat) - shift(j));
    return sequentialProbabilities(lower, upper, info).reduce((a, p) => a + p.above, 0);
  };
  let pValue = exceed(sf, () => 0);
  if (sided === 2)
    pValue =
      2 *
      Math.min(
        pValue,
        exceed(-sf, () => 0),
      );
  if (sf >= 8) return { look: f, pValue, lower: null, upper: null, medianUnbiased: null };
  const sqrtEvents = Math.sqrt(events[f - 1]);
  const g = (theta: number): number => exceed(sf, (j) => theta * Math.sqrt(info[j] / info[f - 1]) * sqrtEvents);
  // rpact searches theta in [-8, 8]; the root lies within 10 standard errors of the estimate.
  const lo = Math.max(-8, (sf - 10) / sqrtEvents);
  const hi = Math.min(8, (sf + 10) / sqrtEvents);
  const root = (target: number): number => solveIncreasing((theta) => g(theta) - target, lo, hi, 1e-9);
  const toHr = (theta: number): number => 1 / Math.exp((theta * (1 + r)) / Math.sqrt(r));
  const a = alpha / sided;
  const limits = [toHr(root(a)), toHr(root(1 - a))].sort((x, y) => x - y);
  return { look: f, pValue, lower: limits[0], upper: limits[1], medianUnbiased: toHr(root(0.5)) };
}

/** The DSMB's read-out at the looks taken (contract part 3 of stats-cli.md; see the module
 *  comment). Throws SurvivalError('INVALID_OPTION') for inputs outside the contract. */
export function interimAnalysis(o: InterimOptions): InterimResult {
  const alpha = o.alpha ?? 0.025;
  const sided = o.sided ?? 1;
  const spending = o.spending ?? 'obrien-fleming';
  const futility = o.futility ?? 'none';
  const beta = o.beta ?? 0.2;
  const r = o.allocation ?? 1;
  const N = o.plannedEvents;
  const E = o.events;
  const Z = o.z;
  if (!(Number.isFinite(N) && N > 0)) throw new SurvivalError('INVALID_OPTION', `planned events must be positive, got ${N}`);
  if (E.length === 0 || E.length !== Z.length) throw new SurvivalError('INVALID_OPTION', 'events and z must have the same, non-zero length');
  if (!(r > 0 && Number.isFinite(r))) throw new SurvivalError('INVALID_OPTION', `allocation must be positive, got ${r}`);
  if (o.hr1 !== undefined && !(o.hr1 > 0 && Number.isFinite(o.hr1))) throw new SurvivalError('INVALID_OPTION', `hr1 must be positive, got ${o.hr1}`);
  E.forEach((e, i) => {
    if (!(Number.isFinite(e) && e > 0) || (i > 0 && !(e > E[i - 1])))
      throw new SurvivalError('INVALID_OPTION', 'events must be positive and increasing');
  });
  const rates = designRates(N, E, o.looks ?? [1]);
  const design = groupSequentialDesign({
    info: rates,
    alpha,
    sided,
    spending,
    futility: futility === 'none' ? undefined : { spending: futility, beta },
  });
  const K = rates.length;
  const k = E.length;
  const s = Z.map((z) => -z);
  const hrAt = (i: number): number => Math.exp((Z[i] * (1 + r)) / Math.sqrt(r * E[i]));

  const looks: InterimLook[] = rates.map((info, i) => {
    const base = {
      look: i + 1,
      info,
      taken: i < k,
      events: i < k ? E[i] : N * info,
    };
    const bounds = {
      efficacyZ: design.criticalValues[i],
      futilityZ: design.futilityBounds !== null && i < K - 1 ? design.futilityBounds[i] : null,
      cumulativeAlpha: design.alphaSpent[i],
    };
    if (i >= k) return { ...base, ...bounds };
    const c = design.criticalValues[i];
    const stat = sided === 2 ? Math.abs(s[i]) : s[i];
    let action: string;
    if (i < K - 1) {
      const fut = sided === 1 ? futilityAt(design, i) : -Infinity;
      action = stat > c ? 'reject and stop' : stat < fut ? 'accept and stop' : 'continue';
    } else action = stat > c ? 'reject' : 'accept';
    let repeatedCi: { lower: number | null; upper: number | null } = { lower: null, upper: null };
    if (c < QNORM_MAXIMUM) {
      const se = (1 + r) / Math.sqrt(r * E[i]);
      const log = Math.log(hrAt(i));
      const lower = Math.exp(log - c * se);
      const upper = Math.exp(log + c * se);
      if (!(lower > upper)) repeatedCi = { lower, upper };
    }
    return { ...base, z: Z[i], ...bounds, action, repeatedCi, repeatedP: repeatedPValue(rates, i, s[i], spending, sided) };
  });

  let conditionalRejectionProbability: number | null = null;
  let conditionalPower: InterimResult['conditionalPower'];
  let conditionalPowerTrend: InterimResult['conditionalPowerTrend'];
  if (K > 1 && k < K) {
    conditionalRejectionProbability = conditionalRejection(design, sided, k, s[k - 1], null)[K - k - 1];
    const nPlanned = rates.slice(k).map((t, j) => ((N * t - (j === 0 ? E[k - 1] : N * rates[k + j - 1])) * r) / (1 + r) ** 2);
    const power = (hr: number): number[] => conditionalRejection(design, sided, k, s[k - 1], { theta: -Math.log(hr), nPlanned });
    if (o.hr1 !== undefined) {
      const cp = power(o.hr1);
      cp.forEach((p, j) => (looks[k + j].conditionalPower = p));
      conditionalPower = { hr1: o.hr1, final: cp[cp.length - 1] };
    }
    const trendHr = hrAt(k - 1);
    const cpTrend = power(trendHr);
    conditionalPowerTrend = { hr: trendHr, final: cpTrend[cpTrend.length - 1] };
  }
  let final: Final | null = null;
  if (K > 1) {
    const crossed = crossingLook(design, s, sided);
    if (crossed < K || k === K) final = finalInference(design, sided, alpha, Math.min(crossed, K), s, Z, E, r);
  }
  // Keys in the contract's order; conditionalPower and conditionalPowerTrend absent when
  // they do not apply.
  return {
    plannedEvents: N,
    alpha,
    sided,
    spending,
    futility,
    looks,
    conditionalRejectionProbability,
    ...(conditionalPower === undefined ? {} : { conditionalPower }),
    ...(conditionalPowerTrend === undefined ? {} : { conditionalPowerTrend }),
    final,
  };
}
