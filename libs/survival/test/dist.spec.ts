// The normal quantile against R's qnorm (AS 241) over the whole range, the far tail included,
// where a group-sequential design's first look spends its alpha.
import { qnorm } from '../src/dist';

describe('qnorm against R', () => {
  // p <- c(1e-300, 1e-30, 1e-20, 1e-16, 1e-14, 1e-12, 1e-8, 0.0125, 0.025, 0.3, 0.5, 0.7, 0.975, 0.9875, 1 - 1e-12)
  // cat(sprintf("[%.17g, %.17g],\n", p, qnorm(p)))
  const cases: Array<[number, number]> = [
    [1e-30, -11.464024688443617],
    [1e-20, -9.2623400897984052],
    [1e-16, -8.2220822161304348],
    [1e-14, -7.6506280929352677],
    [1e-12, -7.0344838253011321],
    [1e-8, -5.61200124417479],
    [0.0125, -2.2414027276049446],
    [0.025, -1.9599639845400538],
    [0.3, -0.52440051270804067],
    [0.5, 0],
    [0.7, 0.52440051270804067],
    [0.975, 1.9599639845400536],
    [0.9875, 2.2414027276049464],
    [1 - 1e-12, 7.0344869100478356],
  ];
  test.each(cases)('qnorm(%p) = %p to 1e-14 relative', (p, expected) => {
    expect(Math.abs(qnorm(p) - expected)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(expected)));
  });

  test('qnorm(1e-300) = -37.047096299361201 to 1e-12 relative (the last few bits of erfcinv go there)', () => {
    expect(Math.abs(qnorm(1e-300) + 37.047096299361201)).toBeLessThanOrEqual(1e-12 * 37.05);
  });

  test('the ends and outside', () => {
    expect(qnorm(0)).toBe(-Infinity);
    expect(qnorm(1)).toBe(Infinity);
    expect(qnorm(-0.1)).toBeNaN();
    expect(qnorm(1.1)).toBeNaN();
    expect(qnorm(NaN)).toBeNaN();
  });
});
