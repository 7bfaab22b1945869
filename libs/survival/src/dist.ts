// Distribution functions, all from @stdlib (no hand-rolled approximations). Upper tails are
// computed directly, not as 1 - cdf, so that small p-values keep their relative precision
// (R's pchisq(lower.tail = FALSE) and pnorm(-|z|) do the same).
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalPdf from '@stdlib/stats-base-dists-normal-pdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import gammainc from '@stdlib/math-base-special-gammainc';

/** Standard normal CDF Phi(x). */
export function pnorm(x: number): number {
  return normalCdf(x, 0, 1);
}

/** Standard normal density phi(x). */
export function dnorm(x: number): number {
  return normalPdf(x, 0, 1);
}

/** Standard normal quantile Phi^-1(p). */
export function qnorm(p: number): number {
  return normalQuantile(p, 0, 1);
}

/** Upper tail of the chi-square distribution, P(X >= x) with df degrees of freedom:
 *  the regularized upper incomplete gamma Q(df / 2, x / 2). */
export function pchisqUpper(x: number, df: number): number {
  if (x <= 0) return 1;
  return gammainc(x / 2, df / 2, true, true);
}

/** Two-sided normal p-value 2 * Phi(-|z|), as R's 2 * pnorm(-abs(z)). */
export function twoSidedP(z: number): number {
  return 2 * pnorm(-Math.abs(z));
}
