import fc from 'fast-check';
import { canonicalJson, sameJson } from './json';

/** The same value with every object's keys in another order (as Postgres jsonb gives them back). */
function reordered(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reordered);
  if (v === null || typeof v !== 'object' || v instanceof Date) return v;
  return Object.fromEntries(
    Object.entries(v as Record<string, unknown>)
      .reverse()
      .map(([k, x]) => [k, reordered(x)]),
  );
}

// Values as the fold makes them: JSON data, plus what JSON drops or rewrites (undefined, NaN, a Date).
const value = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.constant(null),
    fc.constant(undefined),
    fc.boolean(),
    fc.integer({ min: -3, max: 3 }),
    fc.constant(Number.NaN),
    fc.constantFrom('a', 'b', ''),
    fc.constant(new Date('2026-01-01T00:00:00Z')),
  ),
  node: fc.oneof(
    { depthSize: 'small' },
    tie('leaf'),
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('x', 'y', 'z', '__proto__'), tie('node'), { maxKeys: 3 }),
  ),
})).node;

describe('sameJson', () => {
  it('agrees with comparing canonicalJson texts, for any two values', () => {
    fc.assert(
      fc.property(value, value, (a, b) => sameJson(a, b) === (canonicalJson(a) === canonicalJson(b))),
      { numRuns: 5000 },
    );
  });

  it('agrees with canonicalJson for a value and its reordered or edited copy', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        const c = reordered(a);
        const d = Array.isArray(a) ? [...a, b] : a !== null && typeof a === 'object' ? { ...a, y: b } : b;
        return sameJson(a, c) && sameJson(a, d) === (canonicalJson(a) === canonicalJson(d));
      }),
      { numRuns: 5000 },
    );
  });

  it('follows JSON: an undefined key is absent, undefined and NaN in an array are null, a Date is its text', () => {
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJson([undefined, Number.NaN], [null, null])).toBe(true);
    expect(sameJson({ d: new Date('2026-01-01T00:00:00Z') }, { d: '2026-01-01T00:00:00.000Z' })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
  });
});
