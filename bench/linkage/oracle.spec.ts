import { Cell, applyRule, fittedRule, oracleBound, precisionAtRecall } from './oracle';
import { seededRng } from '@trial/linkage';

describe('oracle bound (fractional knapsack over cells)', () => {
  // A pure cell, one at purity 100/101, one at 50/60; 1,200 matches in all (some never candidates).
  const cells: Cell[] = [
    { key: 'C', right: 50, wrong: 10 },
    { key: 'A', right: 1000, wrong: 0 },
    { key: 'B', right: 100, wrong: 1 },
  ];

  it('takes cells purest first, whatever their order, and a share of the first that would break the floor', () => {
    const b = oracleBound(cells, 1200, 0.999);
    // A and B whole: 1100 / 1101 = 0.99909. C's share a: (1100 + 50a) = 0.999 (1101 + 60a)
    // → a = (0.001·1100 − 0.999·1) / (0.999·10 − 0.001·50) = 0.101 / 9.94.
    const a = 0.101 / 9.94;
    expect(b.cellsWhole).toBe(2);
    expect(b.partShare).toBeCloseTo(a, 12);
    expect(b.right).toBeCloseTo(1100 + 50 * a, 9);
    expect(b.precision).toBeCloseTo(0.999, 12);
    expect(b.recall).toBeCloseTo((1100 + 50 * a) / 1200, 12);
  });

  it('gives the best precision at a recall, and null when no rule reaches it', () => {
    // 1080 right: A and 80 of B's 100 (and 0.8 of its one wrong).
    expect(precisionAtRecall(cells, 1200, 0.9)).toBeCloseTo(1080 / 1080.8, 12);
    expect(precisionAtRecall(cells, 1200, 0.97)).toBeNull();
  });

  it('fits whole cells and applies them to other rows', () => {
    const rule = fittedRule(cells, 0.999);
    expect([...rule].sort()).toEqual(['A', 'B']);
    const other: Cell[] = [
      { key: 'A', right: 900, wrong: 2 },
      { key: 'B', right: 90, wrong: 0 },
      { key: 'C', right: 60, wrong: 5 },
      { key: 'D', right: 7, wrong: 0 },
    ];
    expect(applyRule(rule, other, 1100)).toEqual({ recall: 990 / 1100, precision: 990 / 992, right: 990, wrong: 2 });
  });

  it('is never beaten by any set of whole cells (brute force over random cells)', () => {
    const r = seededRng(7);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(r() * 8);
      const cs: Cell[] = [];
      for (let i = 0; i < n; i++) cs.push({ key: `k${i}`, right: Math.floor(r() * 200), wrong: Math.floor(r() * (r() < 0.5 ? 2 : 30)) });
      const matches = cs.reduce((s, c) => s + c.right, 0) + 5;
      const p = 0.95 + r() * 0.05;
      let best = 0;
      for (let mask = 0; mask < 1 << n; mask++) {
        let right = 0,
          wrong = 0;
        for (let i = 0; i < n; i++)
          if (mask & (1 << i)) {
            right += cs[i].right;
            wrong += cs[i].wrong;
          }
        if (right + wrong > 0 && right >= p * (right + wrong)) best = Math.max(best, right);
      }
      const b = oracleBound(cs, matches, p);
      expect(b.right).toBeGreaterThanOrEqual(best - 1e-9);
      // And the bound itself holds the floor.
      if (b.right + b.wrong > 0) expect(b.right / (b.right + b.wrong)).toBeGreaterThanOrEqual(p - 1e-12);
    }
  });
});
