import { bySize, Outgoing } from './requests';

describe('bySize: produce requests the broker accepts', () => {
  const m = (i: number, bytes: number): Outgoing => ({ topic: i % 2 ? 'a' : 'b', key: `k${i}`, value: 'x'.repeat(bytes), headers: { h: 'v' } });

  it('keeps the order, keeps each request within the limit, and sends an oversized message alone', () => {
    const list = [m(0, 300), m(1, 300), m(2, 300), m(3, 2_000), m(4, 100), m(5, 100)];
    const runs = bySize(list, 1_000);
    expect(runs.flat()).toEqual(list);
    expect(runs.map((r) => r.map((x) => x.key))).toEqual([['k0', 'k1', 'k2'], ['k3'], ['k4', 'k5']]);
  });

  it('counts key and header bytes, not only the value', () => {
    // 3 x (2 + 330 + 2) = 1,002 bytes: over 1,000 with the key and headers, under it without.
    expect(bySize([m(0, 330), m(1, 330), m(2, 330)], 1_000)).toHaveLength(2);
  });
});
