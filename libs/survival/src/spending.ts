// Error spending functions and the root finder the designs solve with (design.ts).
import { pnorm, qnorm } from './dist';
import { SurvivalError } from './errors';

export type Spending = 'obrien-fleming' | 'pocock';

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

/** Cumulative beta spent at t: the same two families applied to beta, one-sided.
 *  Reference: rpact typeBetaSpending "bsOF" and "bsP". */
export function spendBeta(spending: Spending, beta: number, t: number): number {
  return spendAlpha(spending, beta, 1, t);
}

/** Root of an increasing function on [lo, hi] by the Illinois variant of regula falsi, which
 *  keeps a bracket (so it cannot diverge) and converges superlinearly; a bisection step is
 *  taken whenever an interpolation is unusable or two steps fail to halve the bracket (flat or
 *  step-like functions, infinite values at an end). */
export function solveIncreasing(f: (x: number) => number, lo: number, hi: number, tol: number): number {
  let a = lo;
  let b = hi;
  let fa = f(a);
  let fb = f(b);
  if (fa >= 0) return a;
  if (fb <= 0) return b;
  let side = 0;
  let width = b - a;
  for (let it = 0; it < 300 && b - a > tol; it++) {
    let c = (a * fb - b * fa) / (fb - fa);
    if (it % 2 === 1) {
      if (b - a > width / 2) c = (a + b) / 2;
      width = b - a;
    }
    if (!(c > a && c < b)) c = (a + b) / 2;
    const fc = f(c);
    if (fc === 0) return c;
    if (fc < 0) {
      a = c;
      fa = fc;
      if (side === -1) fb /= 2;
      side = -1;
    } else {
      b = c;
      fb = fc;
      if (side === 1) fa /= 2;
      side = 1;
    }
  }
  return Number.isFinite(fa) && Number.isFinite(fb) && fb !== fa ? (a * fb - b * fa) / (fb - fa) : (a + b) / 2;
}
