// Fine-Gray where every one of finegray()'s weights is 1 (no competing subject stays at risk
// past a drop in the censoring distribution): coxph then computes no robust variance, and
// summary() reports the model-based se(coef). The contract's "robust se" is R's column when it
// exists; here R has only se(coef), so that is the stdErr.
import { competingRisks, CompetingGroupData } from '../src';

describe('Fine-Gray with every weight 1', () => {
  it("reports R's model-based se, as summary(coxph(..., weight = fgwt)) does", () => {
    // time, cause code (0 censored), arm
    const rows: Array<[number, number, string]> = [
      [0, 1, 'B'],
      [1, 2, 'A'],
      [7, 0, 'B'],
      [5, 2, 'B'],
      [6, 1, 'B'],
      [7, 2, 'B'],
      [1, 2, 'A'],
      [6, 0, 'A'],
      [2, 1, 'A'],
      [5, 1, 'A'],
      [2, 2, 'A'],
    ];
    const groups = new Map<string, CompetingGroupData>();
    for (const arm of ['A', 'B']) {
      const mine = rows.filter(([, , g]) => g === arm);
      groups.set(arm, { times: mine.map(([t]) => t), codes: mine.map(([, c]) => c) });
    }
    const fg = competingRisks(groups, { cause: 1 }).fineGray!;
    // R: d <- data.frame(time, cs, arm); fg <- finegray(Surv(time, factor(cs, c(0, 1, 2))) ~ ., data = d, etype = 1)
    //   range(fg$fgwt): 1 1
    //   summary(coxph(Surv(fgstart, fgstop, fgstatus) ~ arm, weight = fgwt, data = fg))$coefficients:
    //   armB coef 0.2027326, se(coef) 1.002587, z 0.2022094, Pr(>|z|) 0.839753 (no robust se column)
    const [b] = fg.terms;
    expect(b.group).toBe('B');
    const tol = 1e-5; // relative: R printed 7 significant digits
    expect(Math.abs(b.coef - 0.2027326) / 0.2027326).toBeLessThan(tol);
    expect(Math.abs(b.stdErr - 1.002587) / 1.002587).toBeLessThan(tol);
    expect(Math.abs(b.z - 0.2022094) / 0.2022094).toBeLessThan(tol);
  });
});
