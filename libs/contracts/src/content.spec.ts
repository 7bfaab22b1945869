// contentHash is stored beside every applied event id and compared with what later copies hash
// to, so a faster canonical text must be the same text, byte for byte, as the plain one.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { contentHash } from './content';

/** The implementation before replay needed it fast: the reference. */
function plainCanonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(plainCanonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${plainCanonical(v)}`).join(',')}}`;
}
const plainHash = (v: unknown): string => createHash('sha256').update(plainCanonical(v)).digest('hex').slice(0, 32);

describe('contentHash', () => {
  it('equals the plain canonical JSON hash on arbitrary JSON-like values (unicode keys, undefined fields, nesting)', () => {
    const key = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('a', 'B', '_', '\u00e9', '\ud83d\ude00', '10', '9'));
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(fc.constant(null), fc.constant(undefined), fc.boolean(), fc.double(), fc.integer(), fc.string({ unit: 'binary' })),
      node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(key, tie('node'), { maxKeys: 5 })),
    })).node;
    fc.assert(
      fc.property(value, (v) => contentHash(v) === plainHash(v)),
      { numRuns: 2000 },
    );
  });

  it('does not depend on key order and leaves undefined fields out', () => {
    expect(contentHash({ b: 1, a: [1, { d: 2, c: undefined }] })).toBe(contentHash({ a: [1, { d: 2 }], b: 1 }));
    expect(contentHash({ a: 1 })).toBe('015abd7f5cc57a2dd94b7590f04ad808');
  });
});
