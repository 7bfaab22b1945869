// A third arm of three patients who die early (fixtures/cox-small-arm.csv: lung's first 60 rows
// by sex, and ZZZ dying at 6, 8 and 11 days). On the way to the maximum, the ZZZ coefficient is
// large and its information near 0, so the information matrix is singular at some iterates:
// R's coxfit6 holds that coefficient still for the step and goes on, and so must the fit
// (it exited 2 with "matrix is not positive definite").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeReadout, SurvivalTable } from '../src';

function groupsOf(csv: string): Map<string, SurvivalTable> {
  const groups = new Map<string, SurvivalTable>();
  for (const line of csv.trim().split('\n').slice(1)) {
    const [time, status, arm] = line.split(',');
    const t = groups.get(arm) ?? groups.set(arm, new SurvivalTable()).get(arm)!;
    t.add(Number(time), Number(status) as 0 | 1);
  }
  return groups;
}

describe('Cox with a small arm whose deaths all come first', () => {
  it('converges to what R gives, with no error', () => {
    const r = computeReadout(groupsOf(readFileSync(join(__dirname, 'fixtures', 'cox-small-arm.csv'), 'utf8')), {});
    // R: d <- read.csv('cox-small-arm.csv'); m <- coxph(Surv(time, status) ~ factor(arm), data = d)
    //   summary(m)$coefficients: Male coef 0.115628616901, se 0.27979764052; ZZZ coef 4.582996635098, se 1.19464337071
    //   2 * diff(m$loglik): 15.9713572303 (14 iterations, no warning)
    const cox = r.cox!;
    expect(cox.reference).toBe('Female');
    const byGroup = new Map(cox.terms.map((t) => [t.group, t]));
    const tol = 1e-6; // relative
    const close = (got: number, want: number): void => expect(Math.abs(got - want) / Math.abs(want)).toBeLessThan(tol);
    close(byGroup.get('Male')!.coef, 0.115628616901);
    close(byGroup.get('Male')!.stdErr, 0.27979764052);
    close(byGroup.get('ZZZ')!.coef, 4.582996635098);
    close(byGroup.get('ZZZ')!.stdErr, 1.19464337071);
    close(cox.likelihoodRatio.chiSquare, 15.9713572303);
  });
});
