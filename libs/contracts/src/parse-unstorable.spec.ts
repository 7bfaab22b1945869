import { z } from 'zod';
import { decode, mayHoldUnstorable, unstorable } from './parse';

/**
 * decode skips the walk for unstorable strings when the JSON text cannot produce one
 * (mayHoldUnstorable). The skip must never let through a value the walk would refuse.
 */
describe('decode: the text check before the unstorable walk', () => {
  const schema = z.object({ a: z.unknown() }).passthrough();

  it('sends every NUL and lone surrogate, escaped or raw, to the walk', () => {
    for (const text of [
      '{"a":"x\\u0000"}',
      '{"a":"\\ud800"}',
      '{"a":"\\uDFFF"}',
      '{"a":["\\uDbFf"]}',
      '{"\\u0000":1}',
      '{"a":"\uD800"}',
      '{"a":"\uDC00x"}',
    ]) {
      expect(unstorable(JSON.parse(text))).toBe(true);
      expect(mayHoldUnstorable(text)).toBe(true);
      expect(decode(schema, text)).toMatchObject({ ok: false, error: { code: 'invalid-message' } });
    }
  });

  it('skips the walk for ordinary text, and still accepts paired surrogates and escaped backslashes', () => {
    expect(mayHoldUnstorable('{"a":"O\'BRIEN","b":"\\u00e9\\u0041"}')).toBe(false);
    for (const text of ['{"a":"\uD83D\uDE00"}', '{"a":"\\ud83d\\ude00"}', '{"a":"\\\\u0000"}']) {
      expect(unstorable(JSON.parse(text))).toBe(false);
      expect(decode(schema, text)).toMatchObject({ ok: true });
    }
  });

  it('never skips a value the walk refuses (random strings of awkward code units)', () => {
    const units = ['a', '\\', 'u', '0', 'd', '8', '"', '\u0000', '\uD800', '\uDC00', '\uD83D', '\uDE00', '\u00e9'];
    let seed = 12345;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 5000; i++) {
      let s = '';
      for (let n = next() % 8; n > 0; n--) s += units[next() % units.length];
      for (const text of [JSON.stringify({ a: s }), JSON.stringify({ [s]: 1 })]) {
        if (unstorable(JSON.parse(text))) expect(mayHoldUnstorable(text)).toBe(true);
      }
    }
  });
});
