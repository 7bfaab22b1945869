import { coverage, percentile, TopicEnd } from './live-read';

const ends = (...parts: Array<[number, number, number]>): TopicEnd[] =>
  parts.map(([partition, low, high]) => ({ partition, low: BigInt(low), high: BigInt(high) }));

describe('coverage of a topic by the consumer checkpoints', () => {
  it('is complete only when every partition with messages has its last offset applied', () => {
    const topic = ends([0, 0, 10], [1, 0, 5]);
    expect(
      coverage(
        new Map([
          [0, 9n],
          [1, 4n],
        ]),
        topic,
      ),
    ).toEqual({ applied: 15, complete: true });
    expect(
      coverage(
        new Map([
          [0, 9n],
          [1, 3n],
        ]),
        topic,
      ),
    ).toEqual({ applied: 14, complete: false });
  });

  it('counts a partition without a checkpoint row as nothing applied, and an empty one as done', () => {
    expect(coverage(new Map([[0, 9n]]), ends([0, 0, 10], [1, 0, 5]))).toEqual({ applied: 10, complete: false });
    expect(coverage(new Map([[0, 9n]]), ends([0, 0, 10], [1, 0, 0]))).toEqual({ applied: 10, complete: true });
  });

  it('counts from the first offset held and never past the end', () => {
    expect(coverage(new Map([[0, 7n]]), ends([0, 5, 8]))).toEqual({ applied: 3, complete: true });
    expect(coverage(new Map([[0, 12n]]), ends([0, 0, 8]))).toEqual({ applied: 8, complete: true });
  });
});

describe('percentile (nearest rank)', () => {
  it('is the smallest value with at least p% of the list at or below it', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile([3, 7], 50)).toBe(3);
    expect(percentile([3, 7], 99)).toBe(7);
    expect(percentile([5], 1)).toBe(5);
  });
});
