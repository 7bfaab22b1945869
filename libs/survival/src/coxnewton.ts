// The Newton-Raphson maximisation of a Cox partial likelihood (R's coxfit6 iteration) given any
// evaluation of it: the group factor (cox.ts, one table or summed over strata) and categorical
// designs (coxdesign.ts) share it, so they converge, and fail, the same way.
import type { CoxFit, CoxOptions, Evaluation } from './cox';
import { SurvivalError } from './errors';
import { Ldl, ldl, ldlInverse, ldlSolve } from './ldl';

/** The sum of the strata's log-likelihoods, scores and informations (strata are independent). */
export function sumEvaluations(parts: readonly Evaluation[]): Evaluation {
  const p = parts[0].u.length;
  const u = new Array<number>(p).fill(0);
  const imat = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  let loglik = 0;
  for (const e of parts) {
    loglik += e.loglik;
    for (let g = 0; g < p; g++) {
      u[g] += e.u[g];
      for (let h = 0; h < p; h++) imat[g][h] += e.imat[g][h];
    }
  }
  return { loglik, u, imat };
}

/**
 * Maximise a Cox partial likelihood given its evaluation (log-likelihood, score, information)
 * at any beta of length p: the Newton-Raphson iteration of coxFit, described there, and its
 * tests against beta = 0. Used by coxFit (group factor, strata) and coxFitCells (any
 * categorical covariates). Cost: the evaluations', 3 or more, plus O(p^3) per step.
 */
export function maximisePartialLikelihood(evalAt: (beta: readonly number[]) => Evaluation, p: number, options: CoxOptions): CoxFit {
  return maximise(evalAt, p, options).fit;
}

/**
 * maximisePartialLikelihood, also saying which coefficients R would report (kept) and which as
 * NA (an aliased column: its pivot in R's cholesky2 is singular, so its step and coefficient
 * stay 0), and whether it ran out of iterations (exhausted). As R's coxfit6: each step solves with the generalised LDL' (ldl.ts); a step that
 * lowers the log-likelihood is pulled back to (new + h old) / (h + 1) on the h-th halving;
 * convergence is |1 - L_best / L_new| <= eps at any evaluation; after maxIter iterations the
 * fit is the last accepted point, every coefficient then counting as kept (R's flag 1000 skips
 * its NA marking). Singular columns are a SINGULAR error unless options.allowSingular, and the
 * two R warnings (a coefficient may be infinite, out of iterations) NOT_CONVERGED errors
 * unless options.acceptInfinite. A warm start (init) converges on the coefficients instead.
 * Reference: R survival 3.5 coxfit6.c, coxph.fit (which.sing, the infinite-coefficient check).
 */
export function maximise(
  evalAt: (beta: readonly number[]) => Evaluation,
  p: number,
  options: CoxOptions,
): { fit: CoxFit; kept: boolean[]; exhausted: boolean } {
  const eps = options.eps ?? 1e-9;
  const maxIter = options.maxIter ?? 20;
  const zero = new Array<number>(p).fill(0);
  const init = options.init && options.init.length === p && options.init.every(Number.isFinite) ? [...options.init] : zero;
  const isZeroStart = init.every((b) => b === 0);
  // As R's coxfit6: a pivot that is singular at an iterate (a small group whose coefficient is
  // large for now, its information near 0) only holds that coefficient still for the step; the
  // fit is singular only if the information is singular where it ends (fitAt), or at 0.
  const singular = (f: Ldl): void => {
    if (f.rank < p && !options.allowSingular) throw new SurvivalError('SINGULAR', 'matrix is not positive definite');
  };

  const atZero = evalAt(zero);
  const zeroLdl = ldl(atZero.imat);
  // Singular at 0 is an aliased column (a group with no patient at risk at any death): it stays so.
  singular(zeroLdl);
  const score = dot(atZero.u, ldlSolve(zeroLdl, atZero.u));
  const start = isZeroStart ? atZero : evalAt(init);
  const startLdl = isZeroStart ? zeroLdl : ldl(start.imat);

  const fitAt = (b: number[], ev: Evaluation, f: Ldl, iter: number, kept: boolean[]): { fit: CoxFit; kept: boolean[]; exhausted: boolean } => {
    singular(f);
    const fit: CoxFit = {
      coef: b,
      variance: ldlInverse(f),
      loglik: ev.loglik,
      loglikNull: atZero.loglik,
      likelihoodRatio: 2 * (ev.loglik - atZero.loglik),
      wald: dot(
        b,
        ev.imat.map((row) => dot(row, b)),
      ),
      score,
      df: kept.filter(Boolean).length,
      iterations: iter,
    };
    assertFinite(fit);
    return { fit, kept, exhausted: iter < 0 };
  };

  let beta = init;
  let best = start.loglik;
  let newBeta = addVec(beta, ldlSolve(startLdl, start.u));
  let halving = 0;
  let accepted = { beta, ev: start, f: startLdl, iter: 0 };
  for (let iter = 1; iter <= maxIter; iter++) {
    const ev = evalAt(newBeta);
    const finite = Number.isFinite(ev.loglik) && ev.u.every(Number.isFinite) && ev.imat.every((row) => row.every(Number.isFinite));
    const f = finite ? ldl(ev.imat) : null;
    // The Newton step from newBeta, u' I^-1: how far the estimate still is from the maximum.
    const step = f ? ldlSolve(f, ev.u) : null;
    let converged = false;
    if (f && step) {
      if (isZeroStart) {
        // R's rule, so that a cold start stops where coxph stops.
        converged = Math.abs(1 - best / ev.loglik) <= eps;
        // R's "Loglik converged before variable ...; coefficient may be infinite".
        const tolInf = Math.sqrt(eps);
        const infinite = step.some((x, g) => Math.abs(x) > eps && Math.abs(x) > tolInf * Math.abs(newBeta[g]));
        if (converged && infinite && !options.acceptInfinite) {
          throw new SurvivalError(
            'NOT_CONVERGED',
            'Cox log-likelihood converged before the coefficients: a hazard ratio may be infinite (monotone likelihood)',
          );
        }
      } else if (halving === 0) {
        // Warm start: the path differs from R's, so converge on the coefficients themselves
        // (quadratic convergence makes the result the maximum to rounding; one step more).
        const small = step.every((x, g) => Math.abs(x) <= 1e-10 * Math.max(1, Math.abs(newBeta[g])));
        converged = ev.loglik >= best - eps * Math.abs(best) && small;
      }
    }
    if (converged && f) return fitAt(newBeta, ev, f, iter, f.kept);
    if (!f || !step || ev.loglik < best) {
      // Not improving: pull back towards the last accepted point, harder each time.
      halving++;
      newBeta = newBeta.map((b, g) => (b + halving * beta[g]) / (halving + 1));
    } else {
      halving = 0;
      best = ev.loglik;
      beta = newBeta;
      accepted = { beta, ev, f, iter };
      newBeta = addVec(newBeta, step);
    }
  }
  // R warns "Ran out of iterations and did not converge" and reports the last accepted point;
  // only a likelihood-ratio caller (acceptInfinite) takes that, as R's anova does.
  if (options.acceptInfinite) {
    const out = fitAt(
      accepted.beta,
      accepted.ev,
      accepted.f,
      accepted.iter,
      zero.map(() => true),
    );
    return { ...out, exhausted: true };
  }
  throw new SurvivalError('NOT_CONVERGED', `Cox model did not converge in ${maxIter} iterations`);
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function addVec(a: readonly number[], b: readonly number[]): number[] {
  return a.map((x, i) => x + b[i]);
}

function assertFinite(fit: CoxFit): void {
  const values = [...fit.coef, ...fit.variance.flat(), fit.loglik, fit.wald, fit.score, fit.likelihoodRatio];
  if (!values.every(Number.isFinite)) {
    throw new SurvivalError('NOT_CONVERGED', 'Cox model produced a non-finite estimate');
  }
}
