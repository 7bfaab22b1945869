// Cox proportional hazards for a group factor (treatment contrasts against a reference).
// With a factor as the only covariate, each risk set is summarised by the groups' numbers at
// risk and deaths, so one likelihood evaluation costs O(M k^2) over the merged table instead
// of O(n) per-patient sums: the same partial likelihood, evaluated exactly. A stratified model
// sums the per-stratum partial likelihoods; models with other categorical covariates
// (coxdesign.ts) share the Newton-Raphson iteration (coxnewton.ts) through their own evaluation.
import { SurvivalError } from './errors';
import { maximisePartialLikelihood, sumEvaluations } from './coxnewton';
import { MergedTable } from './merge';

export type Ties = 'efron' | 'breslow';

export interface CoxFit {
  /** Log hazard ratios of groups 1..k-1 against group 0 (the reference). */
  coef: number[];
  /** Inverse information at coef: the model-based variance matrix. */
  variance: number[][];
  loglik: number;
  /** Log partial likelihood at coef = 0 (the null model). */
  loglikNull: number;
  /** Likelihood-ratio, Wald and score statistics, each on k - 1 df. */
  likelihoodRatio: number;
  wald: number;
  score: number;
  df: number;
  iterations: number;
}

export interface CoxOptions {
  ties: Ties;
  /** Starting coefficients (warm start, e.g. the previous read-out's). Default all 0. */
  init?: readonly number[];
  /** Relative log-likelihood change that counts as converged (R: coxph.control eps). */
  eps?: number;
  /** Newton-Raphson iterations before giving up (R: coxph.control iter.max). */
  maxIter?: number;
  /**
   * Return the fit where the log-likelihood converged although a coefficient still runs off to
   * infinity (R's "coefficient may be infinite" warning, with its numbers), instead of a
   * NOT_CONVERGED error. For callers that read only the log-likelihood (likelihood-ratio tests
   * such as anova's interaction test), whose value R reports at that point.
   */
  acceptInfinite?: boolean;
  /**
   * Fit a model with aliased columns (an information matrix of lower rank) as R does: their
   * coefficients stay 0 and are not counted in df (R's NA), instead of a SINGULAR error.
   */
  allowSingular?: boolean;
}

/** Log partial likelihood, score vector and information matrix at one beta. */
export interface Evaluation {
  loglik: number;
  u: number[];
  imat: number[][];
}

/** Log partial likelihood, score vector and information matrix at beta.
 *  Cost O(M k^2 + D k^2) for M rows (rows without deaths are skipped) and D deaths. */
function evaluate(merged: MergedTable, beta: readonly number[], ties: Ties): Evaluation {
  const k = merged.nRisk.length;
  if (k === 2) return evaluateTwoGroups(merged, beta[0], ties);
  const p = k - 1;
  const ew = [1, ...beta.map(Math.exp)];
  const u = new Array<number>(p).fill(0);
  const imat = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const s1 = new Array<number>(p).fill(0);
  const e1 = new Array<number>(p).fill(0);
  const a = new Array<number>(p).fill(0);
  let loglik = 0;
  const m = merged.time.length;
  for (let i = 0; i < m; i++) {
    const deaths = merged.totalEvent[i];
    if (deaths === 0) continue;
    // Risk-set sums S0 (all at risk) and E0 (the tied deaths), per group for the derivatives.
    let s0 = merged.nRisk[0][i];
    let e0 = merged.nEvent[0][i];
    for (let g = 1; g < k; g++) {
      const dg = merged.nEvent[g][i];
      s1[g - 1] = merged.nRisk[g][i] * ew[g];
      e1[g - 1] = dg * ew[g];
      s0 += s1[g - 1];
      e0 += e1[g - 1];
      loglik += dg * beta[g - 1];
      u[g - 1] += dg;
    }
    switch (ties) {
      case 'breslow': {
        loglik -= deaths * Math.log(s0);
        for (let g = 0; g < p; g++) a[g] = s1[g] / s0;
        for (let g = 0; g < p; g++) {
          u[g] -= deaths * a[g];
          imat[g][g] += deaths * a[g];
          for (let h = 0; h < p; h++) imat[g][h] -= deaths * a[g] * a[h];
        }
        break;
      }
      case 'efron': {
        // The j-th of the d tied deaths sees the risk set less j/d of the dying.
        for (let j = 0; j < deaths; j++) {
          const f = j / deaths;
          const den = s0 - f * e0;
          loglik -= Math.log(den);
          for (let g = 0; g < p; g++) a[g] = (s1[g] - f * e1[g]) / den;
          for (let g = 0; g < p; g++) {
            u[g] -= a[g];
            imat[g][g] += a[g];
            for (let h = 0; h < p; h++) imat[g][h] -= a[g] * a[h];
          }
        }
        break;
      }
      default: {
        const never: never = ties;
        throw new SurvivalError('INVALID_OPTION', `unknown ties method ${String(never)}`);
      }
    }
  }
  return { loglik, u, imat };
}

/**
 * evaluate for two groups (one coefficient), the usual two-arm trial: the same operations in
 * the same order as the general loop with p = 1, on scalars instead of 1-element arrays, so
 * the results are identical. Cost O(M + D); one log per death (Efron) or per death time.
 */
function evaluateTwoGroups(merged: MergedTable, beta: number, ties: Ties): Evaluation {
  if (ties !== 'efron' && ties !== 'breslow') {
    throw new SurvivalError('INVALID_OPTION', `unknown ties method ${String(ties)}`);
  }
  const efron = ties === 'efron';
  const ew = Math.exp(beta);
  const risk0 = merged.nRisk[0];
  const risk1 = merged.nRisk[1];
  const event0 = merged.nEvent[0];
  const event1 = merged.nEvent[1];
  const total = merged.totalEvent;
  let u = 0;
  let info = 0;
  let loglik = 0;
  const m = merged.time.length;
  for (let i = 0; i < m; i++) {
    const deaths = total[i];
    if (deaths === 0) continue;
    let s0 = risk0[i];
    let e0 = event0[i];
    const dg = event1[i];
    const s1 = risk1[i] * ew;
    const e1 = dg * ew;
    s0 += s1;
    e0 += e1;
    loglik += dg * beta;
    u += dg;
    if (efron) {
      for (let j = 0; j < deaths; j++) {
        const f = j / deaths;
        const den = s0 - f * e0;
        loglik -= Math.log(den);
        const a = (s1 - f * e1) / den;
        u -= a;
        info += a;
        info -= a * a;
      }
    } else {
      loglik -= deaths * Math.log(s0);
      const a = s1 / s0;
      u -= deaths * a;
      info += deaths * a;
      info -= deaths * a * a;
    }
  }
  return { loglik, u: [u], imat: [[info]] };
}

/**
 * Fit coxph(Surv(time, status) ~ factor(group)) with the first group as reference; given one merged
 * table per stratum, coxph(Surv(time, status) ~ factor(group) + strata(...)), whose partial
 * likelihood is the sum of the strata's (each stratum its own risk sets and baseline hazard).
 * Method: maximise the partial likelihood (Efron or Breslow approximation for ties) by
 * Newton-Raphson with step-halving, the iteration of R's coxfit6 (coxnewton.ts): step from
 * init, accept a step whose log-likelihood does not decrease (otherwise pull it back towards
 * the last accepted point), and stop when |1 - L_best / L_new| <= eps (1e-9), within maxIter
 * (20) iterations.
 * A warm start (init) instead iterates until the Newton step is below 1e-10 (relative), so it
 * lands on the maximum itself. A log-likelihood that converges while a coefficient still moves
 * (R's "coefficient may be infinite" warning) is a NOT_CONVERGED error here, not a number
 * (unless acceptInfinite, for a likelihood-ratio test).
 * Standard errors from the inverse information; Wald = b' I b; score test u(0)' I(0)^-1 u(0);
 * likelihood ratio 2 (L(b) - L(0)); all on k - 1 df. A warm start (init) changes only the path:
 * the score and likelihood-ratio tests are always against b = 0, as summary(coxph) reports.
 * Assumes proportional hazards (within strata), independent censoring, every group with at least
 * one event (otherwise its coefficient is infinite: NO_EVENTS).
 * Reference: R survival 3.5 coxph (coxfit6.c) and summary.coxph; Efron 1977; Breslow 1974;
 * Therneau & Grambsch 2000, ch. 3 (strata: section 3.1.2). Cost O(M k^2 + D k^2) per iteration
 * (D = tied deaths, M rows over all strata).
 */
export function coxFit(merged: MergedTable | readonly MergedTable[], groupLabels: readonly string[], options: CoxOptions): CoxFit {
  const strata: readonly MergedTable[] = isStrata(merged) ? merged : [merged];
  if (strata.length === 0) throw new SurvivalError('EMPTY', 'a stratified Cox model needs at least one stratum');
  const k = strata[0].nRisk.length;
  if (k < 2) throw new SurvivalError('SINGLE_GROUP', 'a Cox model needs at least two groups');
  for (let g = 0; g < k; g++) {
    let d = 0;
    for (const stratum of strata) {
      const events = stratum.nEvent[g];
      for (let i = 0; i < events.length; i++) d += events[i];
    }
    if (d === 0) {
      throw new SurvivalError('NO_EVENTS', `group '${groupLabels[g] ?? g}' has no events: its hazard ratio is not estimable (infinite coefficient)`);
    }
  }
  const single = strata.length === 1 ? strata[0] : null;
  const evalAt = single
    ? (beta: readonly number[]): Evaluation => evaluate(single, beta, options.ties)
    : (beta: readonly number[]): Evaluation => sumEvaluations(strata.map((m) => evaluate(m, beta, options.ties)));
  return maximisePartialLikelihood(evalAt, k - 1, options);
}

function isStrata(x: MergedTable | readonly MergedTable[]): x is readonly MergedTable[] {
  return Array.isArray(x);
}
