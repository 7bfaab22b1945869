// A Cox fit of the group factor as the contract prints it: one term per non-reference group
// (coef, se, HR with its CI, Wald z and p) and the LR, Wald and score tests.
import { CoxFit, Ties } from './cox';
import { pchisqUpper, twoSidedP } from './dist';
import { ChiSquareTest } from './logrank';
import type { CoxReadout, CoxTerm } from './readout';

/**
 * The terms of a group-factor fit: fit.coef[i] is groups[i + 1] against groups[0].
 * Method: se = sqrt(diag(V)) with V the fit's variance (the inverse information, or a robust
 * sandwich variance, as Fine-Gray passes); CI = exp(coef -+ z se); Wald z = coef / se, p = 2 Phi(-|z|).
 * Reference: R survival 3.5 summary.coxph ($coefficients, $conf.int).
 */
export function coxTerms(fit: Pick<CoxFit, 'coef' | 'variance'>, groups: readonly string[], z: number): CoxTerm[] {
  return fit.coef.map((coef, i) => {
    const stdErr = Math.sqrt(fit.variance[i][i]);
    const zStat = coef / stdErr;
    return {
      group: groups[i + 1],
      coef,
      stdErr,
      hazardRatio: Math.exp(coef),
      lower: Math.exp(coef - z * stdErr),
      upper: Math.exp(coef + z * stdErr),
      z: zStat,
      pValue: twoSidedP(zStat),
    };
  });
}

/** The contract's `cox` object: terms and the three tests of summary(coxph), on fit.df df. */
export function coxReadout(fit: CoxFit, groups: readonly string[], ties: Ties, z: number): CoxReadout {
  const test = (chiSquare: number): ChiSquareTest => ({ chiSquare, df: fit.df, pValue: pchisqUpper(chiSquare, fit.df) });
  return {
    reference: groups[0],
    ties,
    terms: coxTerms(fit, groups, z),
    likelihoodRatio: test(fit.likelihoodRatio),
    wald: test(fit.wald),
    score: test(fit.score),
  };
}
