// Group-sequential designs by error spending: Lan-DeMets alpha spending for the efficacy
// boundary, and beta spending for a non-binding futility boundary (one-sided designs), as
// rpact's getDesignGroupSequential(typeOfDesign = "asOF" | "asP", typeBetaSpending = "bsOF" |
// "bsP", bindingFutility = FALSE) computes them.
import { qnorm } from './dist';
import { SurvivalError } from './errors';
import { CLIP_TOP, clipBound, continueAt, LookDensity, NO_LOWER_BOUND, probabilityBelow, probabilityWithin } from './sequential';
import { solveIncreasing, spendAlpha, spendBeta, type Spending } from './spending';

// The spending functions moved to spending.ts; importers of design.ts keep their names.
export { solveIncreasing, spendAlpha, spendBeta, type Spending };

export interface DesignOptions {
  /** Information rates of the looks, strictly increasing in (0, 1]. */
  info: readonly number[];
  alpha: number;
  sided: 1 | 2;
  spending: Spending;
  /** Beta spending for a non-binding futility boundary (sided = 1 only); none when absent. */
  futility?: { spending: Spending; beta: number };
  /** Compute the efficacy boundary only up to this many looks (repeated p-values need no more). */
  upTo?: number;
}

export interface Design {
  info: readonly number[];
  /** Efficacy critical values: reject when Z >= c (one-sided) or |Z| >= c (two-sided). */
  criticalValues: number[];
  /** Cumulative alpha spent at each look (rpact's alphaSpent). */
  alphaSpent: number[];
  /** Futility bounds at looks 1..K-1 (stop for futility when Z < bound), or null. */
  futilityBounds: number[] | null;
}

export function validateDesignOptions(o: DesignOptions): void {
  if (!(o.alpha > 0 && o.alpha < 1)) throw new SurvivalError('INVALID_OPTION', `alpha must be in (0, 1), got ${o.alpha}`);
  if (o.sided !== 1 && o.sided !== 2) throw new SurvivalError('INVALID_OPTION', `sided must be 1 or 2, got ${String(o.sided)}`);
  if (o.info.length === 0) throw new SurvivalError('INVALID_OPTION', 'at least one information fraction is needed');
  o.info.forEach((t, k) => {
    if (!(Number.isFinite(t) && t > 0 && t <= 1) || (k > 0 && !(t > o.info[k - 1]))) {
      throw new SurvivalError('INVALID_OPTION', `information fractions must increase strictly within (0, 1], got ${o.info.join(',')}`);
    }
  });
  if (o.futility !== undefined) {
    if (o.sided !== 1) throw new SurvivalError('INVALID_OPTION', 'futility needs a one-sided design');
    if (!(o.futility.beta > 0 && o.futility.beta < 1 - o.alpha)) {
      throw new SurvivalError('INVALID_OPTION', `beta must be in (0, 1 - alpha), got ${o.futility.beta}`);
    }
  }
}

/**
 * Efficacy boundary by alpha spending. Method: look 1, c_1 = Phi^-1(1 - a_1 / sided); look k,
 * c_k solves P(no crossing before k, cross at k) = a(t_k) - a(t_{k-1}) under H0, the sub-density
 * over the continuation region ((-c, c) two-sided, (-inf, c) one-sided; the non-binding futility
 * boundary is ignored, as it must be) propagated by recursive numerical integration.
 * Assumes H0 (no drift), symmetric two-sided bounds.
 * Reference: Lan & DeMets 1983; Jennison & Turnbull 2000, ch. 7 and 19; rpact
 * getDesignGroupSequential(typeOfDesign = "asOF" | "asP").
 */
function efficacyBoundary(o: DesignOptions): { criticalValues: number[]; alphaSpent: number[] } {
  const info = o.info;
  const K = Math.min(o.upTo ?? info.length, info.length);
  const criticalValues: number[] = [];
  const alphaSpent: number[] = [];
  let prev: LookDensity | null = null;
  let spent = 0;
  // P(reaching look k), as rpact takes it: the previous look's within-bounds probability.
  let reached = 1;
  for (let k = 0; k < K; k++) {
    const t = info[k];
    // A design of one look is a fixed design: rpact (kMax = 1) spends all of alpha there, whatever its rate.
    const cumulative = info.length === 1 ? o.alpha : spendAlpha(o.spending, o.alpha, o.sided, t);
    const target = cumulative - spent;
    let c: number;
    // What this look's bound crosses with: the target, but for a look that cannot spend so little.
    let crossed = target;
    if (k === 0) {
      c = -qnorm(target / o.sided);
    } else {
      const p: LookDensity = prev as LookDensity;
      const r = reached;
      const cross = (x: number): number => r - probabilityBelow(p, t, clipBound(x)) + (o.sided === 2 ? probabilityBelow(p, t, clipBound(-x)) : 0);
      if (cross(0) < target) {
        throw new SurvivalError('INVALID_OPTION', 'alpha to spend at a look exceeds what any boundary can spend');
      }
      // Where even the largest bound the recursion holds (8, clipBound) crosses with more than
      // is left to spend, no bound spends that little: the look cannot reject (rpact reports Inf),
      // and what the recursion crosses with there counts as spent, as rpact's sum over the looks
      // of what each bound crosses with counts it (getZeroApproximation), so later looks spend less.
      const atTop = cross(CLIP_TOP);
      if (atTop > target) {
        c = Infinity;
        crossed = atTop;
      } else c = solveIncreasing((x) => target - cross(x), 0, 40, 1e-12);
    }
    criticalValues.push(c);
    alphaSpent.push(cumulative);
    spent += crossed;
    if (k + 1 < K) {
      // At the first look rpact does not clip a two-sided -c below -6 (sequential.ts
      // firstLookBound): O'Brien-Fleming at 10% of the information puts c above 6.
      const lower = o.sided === 2 ? -c : NO_LOWER_BOUND;
      reached = probabilityWithin(prev, t, lower, c);
      prev = continueAt(prev, t, lower, c);
    }
  }
  return { criticalValues, alphaSpent };
}

/** Futility bounds at looks 1..K for drift delta (E Z_k = delta sqrt t_k), given the efficacy
 *  bounds: l_k solves P_delta(no stop before k, Z_k < l_k) = b(t_k) - b(t_{k-1}). A bound
 *  above the efficacy bound at an interim look is capped at it while delta is searched, so that
 *  the continuation region stays an interval; a design where that binds is then refused
 *  (assertFutilityBelowEfficacy). */
function futilityForDrift(info: readonly number[], upper: readonly number[], betas: readonly number[], delta: number): number[] {
  const bounds: number[] = [];
  let prev: LookDensity | null = null;
  for (let k = 0; k < info.length; k++) {
    const t = info[k];
    const shift = delta * Math.sqrt(t);
    const target = betas[k] - (k === 0 ? 0 : betas[k - 1]);
    let l: number;
    if (k === 0) {
      l = qnorm(target) + shift;
    } else {
      const p: LookDensity = prev as LookDensity;
      l = shift + solveIncreasing((x) => probabilityBelow(p, t, x) - target, -LIMIT_Z, LIMIT_Z, 1e-10);
    }
    if (k + 1 < info.length) {
      l = Math.min(l, upper[k]);
      prev = continueAt(prev, t, l - shift, upper[k] - shift);
    }
    bounds.push(l);
  }
  return bounds;
}

const LIMIT_Z = 20;

/**
 * Non-binding futility boundary by beta spending. Method: for a drift delta (the standardized
 * effect at full information), the futility bounds l_k spend b(t_k) - b(t_{k-1}) of type II
 * error at look k under delta, in the continuation region (l_j, c_j) of the earlier looks;
 * delta is then solved so that the last futility bound meets the last efficacy bound
 * (l_K = c_K), i.e. the design has power 1 - beta. Non-binding: the efficacy bounds are those
 * of alpha spending alone.
 * Assumes sided = 1 and a normal drift model. Reference: Pampallona, Tsiatis & Kim 2001;
 * Jennison & Turnbull 2000, section 7.2; rpact getDesignGroupSequential(typeBetaSpending =
 * "bsOF" | "bsP", bindingFutility = FALSE), its futilityBounds.
 */
function futilityBoundary(info: readonly number[], upper: readonly number[], spending: Spending, beta: number): number[] {
  const betas = info.map((t) => spendBeta(spending, beta, t));
  const K = info.length;
  const delta = solveIncreasing(
    (d) => {
      const b = futilityForDrift(info, upper, betas, d);
      return b[K - 1] - upper[K - 1];
    },
    0,
    40,
    1e-10,
  );
  return futilityForDrift(info, upper, betas, delta).slice(0, K - 1);
}

/** rpact refuses a design whose futility bound comes this close to the efficacy bound. */
const FUTILITY_MARGIN = 0.01;

/**
 * A futility bound that reaches the efficacy bound at an interim look (a look taken very near
 * the planned events, with a large beta) leaves no continuation region. rpact 3.3 then stops
 * ("'futilityBounds' too extreme for this situation", getDesignGroupSequential, when a bound
 * exceeds criticalValue - 0.01) rather than adjust: its betaAdjustment, on by default, rescales
 * the beta spending only in two-sided beta-spending designs, which the contract excludes. So the
 * design is refused here too, with the look and both bounds.
 */
function assertFutilityBelowEfficacy(futility: readonly number[], critical: readonly number[]): void {
  futility.forEach((l, i) => {
    if (l > critical[i] - FUTILITY_MARGIN) {
      throw new SurvivalError(
        'INVALID_OPTION',
        `futility bound ${l.toFixed(4)} at look ${i + 1} comes within ${FUTILITY_MARGIN} of the efficacy bound ${critical[i].toFixed(4)}; ` +
          "rpact refuses such a design ('futilityBounds' too extreme)",
      );
    }
  });
}

/** A group-sequential design: efficacy boundary by alpha spending and, when asked, a
 *  non-binding futility boundary by beta spending (see efficacyBoundary, futilityBoundary). */
export function groupSequentialDesign(o: DesignOptions): Design {
  validateDesignOptions(o);
  const { criticalValues, alphaSpent } = efficacyBoundary(o);
  const futilityBounds =
    o.futility !== undefined && o.info.length > 1 && criticalValues.length === o.info.length
      ? futilityBoundary(o.info, criticalValues, o.futility.spending, o.futility.beta)
      : null;
  if (futilityBounds !== null) assertFutilityBelowEfficacy(futilityBounds, criticalValues);
  // rpact's getDesignGroupSequential reports a bound of 7.5 or more as Inf once every bound is
  // computed (the later ones from the finite value), and its analyses read the design so: such
  // a look rejects nothing and has no repeated confidence interval.
  return { info: o.info, criticalValues: criticalValues.map((c) => (c >= NO_REJECTION_FROM ? Infinity : c)), alphaSpent, futilityBounds };
}

/** rpact's threshold (f_design_group_sequential.R, "we use 7.5 instead of C_QNORM_THRESHOLD"). */
const NO_REJECTION_FROM = 7.5;
