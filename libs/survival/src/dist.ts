// Distribution functions, all from @stdlib (no hand-rolled approximations; the normal quantile
// through its erfcinv, see qnorm). Upper tails are
// computed directly, not as 1 - cdf, so that small p-values keep their relative precision
// (R's pchisq(lower.tail = FALSE) and pnorm(-|z|) do the same).
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalPdf from '@stdlib/stats-base-dists-normal-pdf';
import erfcinv from '@stdlib/math-base-special-erfcinv';
import gammainc from '@stdlib/math-base-special-gammainc';

/** Standard normal CDF Phi(x). */
export function pnorm(x: number): number {
  return normalCdf(x, 0, 1);
}

/** Standard normal density phi(x). */
export function dnorm(x: number): number {
  return normalPdf(x, 0, 1);
}

/**
 * Standard normal quantile Phi^-1(p), as -sqrt(2) erfcinv(2p) on the nearer tail: R's qnorm
 * (AS 241) to 1e-14 relative from 1e-100 to 1 - 1e-12 (1e-13 at 1e-300; test/dist.spec.ts). Not @stdlib's normal quantile,
 * which takes erfinv(2p - 1) and so loses the tail to cancellation (qnorm(1e-14) 1e-4 off,
 * qnorm(1e-20) -Infinity), where the first look of a group-sequential design spends its alpha.
 */
export function qnorm(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  // 1 - p is exact for p >= 0.5 (Sterbenz), so the upper tail keeps the precision p has.
  return p > 0.5 ? Math.SQRT2 * erfcinv(2 * (1 - p)) : -Math.SQRT2 * erfcinv(2 * p);
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
