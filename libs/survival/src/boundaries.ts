// `followup boundaries`: group-sequential efficacy boundaries by Lan-DeMets alpha spending.
// The maths (recursive numerical integration, Armitage, McPherson & Rowe 1969; Jennison &
// Turnbull 2000, ch. 19) is shared with `followup interim` in design.ts and sequential.ts.
import { pnorm } from './dist';
import { groupSequentialDesign, Spending } from './design';

export { spendAlpha } from './design';
export type { Spending } from './design';

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
 * Lan-DeMets efficacy boundaries at the given information fractions (no futility), under H0.
 * Reference: rpact getDesignGroupSequential(kMax, alpha, sided, informationRates,
 * typeOfDesign = "asOF" | "asP"); Jennison & Turnbull 2000, ch. 19; Lan & DeMets 1983.
 */
export function lanDeMetsBoundaries(options: BoundariesOptions): BoundariesResult {
  const alpha = options.alpha ?? 0.05;
  const sided = options.sided ?? 2;
  const spending = options.spending ?? 'obrien-fleming';
  const design = groupSequentialDesign({ info: options.info, alpha, sided, spending });
  const looks = design.criticalValues.map((z, k) => ({
    info: options.info[k],
    z,
    nominalP: pnorm(-z),
    cumulativeAlpha: design.alphaSpent[k],
  }));
  return { spending, alpha, sided, looks };
}
