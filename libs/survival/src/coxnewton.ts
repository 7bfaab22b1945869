// The Newton-Raphson maximisation of a Cox partial likelihood (R's coxfit6 iteration) given any
// evaluation of it: the group factor (cox.ts, one table or summed over strata) and categorical
// designs (coxdesign.ts) share it, so they converge, and fail, the same way.
import type { CoxFit, CoxOptions, Evaluation } from './cox';
import { SurvivalError } from './errors';
import { cholInverse, cholesky, cholSolve, quadFormInv } from './linalg';

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
 * tests against beta = 0. Used by coxFit (group factor, strata) and coxFitDesign (any
 * categorical covariates). Cost: the evaluations', 3 or more.
 */
export function maximisePartialLikelihood(evalAt: (beta: readonly number[]) => Evaluation, p: number, options: CoxOptions): CoxFit {
  const eps = options.eps ?? 1e-9;
  const maxIter = options.maxIter ?? 20;
  const zero = new Array<number>(p).fill(0);
  const init = options.init && options.init.length === p && options.init.every(Number.isFinite) ? [...options.init] : zero;
  const isZeroStart = init.every((b) => b === 0);

  const atZero = evalAt(zero);
  const score = quadFormInv(cholesky(atZero.imat), atZero.u);
  const start = isZeroStart ? atZero : evalAt(init);

  let beta = init;
  let oldLik = start.loglik;
  const startChol = cholesky(start.imat);
  let newBeta = addVec(beta, cholSolve(startChol, start.u));
  let halving = false;
  // The last accepted point, where R's coxfit6 leaves the fit when it runs out of iterations.
  let accepted = { beta, ev: start, chol: startChol, iter: 0 };
  const fitAt = (b: number[], ev: Evaluation, chol: number[][], iter: number): CoxFit => {
    let wald = 0;
    for (let g = 0; g < p; g++) for (let h = 0; h < p; h++) wald += b[g] * ev.imat[g][h] * b[h];
    const fit: CoxFit = {
      coef: b,
      variance: cholInverse(chol),
      loglik: ev.loglik,
      loglikNull: atZero.loglik,
      likelihoodRatio: 2 * (ev.loglik - atZero.loglik),
      wald,
      score,
      df: p,
      iterations: iter,
    };
    assertFinite(fit);
    return fit;
  };
  for (let iter = 1; iter <= maxIter; iter++) {
    const ev = evalAt(newBeta);
    const finite = Number.isFinite(ev.loglik);
    const chol = finite ? cholesky(ev.imat) : null;
    // The Newton step from newBeta: how far the estimate still is from the maximum.
    const step = chol ? cholSolve(chol, ev.u) : null;
    let converged = false;
    if (chol && step && !halving) {
      if (isZeroStart) {
        // R's rule, so that a cold start stops where coxph stops.
        converged = Math.abs(1 - oldLik / ev.loglik) <= eps;
        // R's "Loglik converged before variable ...; coefficient may be infinite": the log
        // likelihood is flat because a coefficient runs off to infinity.
        const tolInf = Math.sqrt(eps);
        const infinite = step.some((x, g) => Math.abs(x) > eps && Math.abs(x) > tolInf * Math.abs(newBeta[g]));
        if (converged && infinite && !options.acceptInfinite) {
          throw new SurvivalError(
            'NOT_CONVERGED',
            'Cox log-likelihood converged before the coefficients: a hazard ratio may be infinite (monotone likelihood)',
          );
        }
      } else {
        // Warm start: the path differs from R's, so converge on the coefficients themselves
        // (quadratic convergence makes the result the maximum to rounding; one step more).
        const small = step.every((x, g) => Math.abs(x) <= 1e-10 * Math.max(1, Math.abs(newBeta[g])));
        converged = ev.loglik >= oldLik - eps * Math.abs(oldLik) && small;
      }
    }
    if (converged && chol) return fitAt(newBeta, ev, chol, iter);
    if (!finite || !step || !chol || ev.loglik < oldLik) {
      // Not improving: go back half way towards the last accepted point.
      halving = true;
      newBeta = newBeta.map((b, g) => (b + beta[g]) / 2);
    } else {
      halving = false;
      oldLik = ev.loglik;
      beta = newBeta;
      accepted = { beta, ev, chol, iter };
      newBeta = addVec(newBeta, step);
    }
  }
  // R warns "Ran out of iterations and did not converge" and reports the last accepted point;
  // only a likelihood-ratio caller (acceptInfinite) takes that, as R's anova does.
  if (options.acceptInfinite) return fitAt(accepted.beta, accepted.ev, accepted.chol, accepted.iter);
  throw new SurvivalError('NOT_CONVERGED', `Cox model did not converge in ${maxIter} iterations`);
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
