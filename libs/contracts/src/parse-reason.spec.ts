import { z } from 'zod';
import { decode } from './parse';

/** A DLQ reason must not quote the message: V8's JSON.parse errors can (house rule). */
describe('decode: the reason for invalid JSON never quotes the input', () => {
  const schema = z.object({ n: z.number() });
  it.each(['Smith 9434765919 SE1 7EH', '{"familyName":"Smith","x":nope,"given":"John"}', '9434765919 Smith', 'SE1 7EH'])('%s', (raw) => {
    const r = decode(schema, raw);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('invalid-json');
    for (const bit of ['Smith', '9434', 'SE1', 'John', 'nope', 'ith']) expect(r.error.reason).not.toContain(bit);
  });

  it('keeps the position when that is all the message says', () => {
    const r = decode(schema, '{"a":"Smith');
    expect(r).toEqual({ ok: false, error: { code: 'invalid-json', reason: 'not JSON: Unterminated string in JSON at position 11' } });
    expect(decode(schema, '')).toEqual({ ok: false, error: { code: 'invalid-json', reason: 'not JSON: Unexpected end of JSON input' } });
    expect(decode(schema, '{"a":1,x')).toMatchObject({ error: { reason: 'not JSON: Expected double-quoted property name in JSON at position 7' } });
  });
});

/** Postgres cannot store U+0000 or an unpaired surrogate: such a message is the message's fault. */
describe('decode: strings Postgres cannot store', () => {
  const schema = z.object({ name: z.string(), tags: z.array(z.string()).optional() });
  it.each([
    ['a NUL in a value', '{"name":"Sm\\u0000ith"}'],
    ['a lone high surrogate', '{"name":"x\\ud800y"}'],
    ['a lone low surrogate in an array', '{"name":"x","tags":["\\udc00"]}'],
    ['a NUL in a key', '{"name":"x","a\\u0000b":1}'],
  ])('refuses %s', (_what, raw) => {
    expect(decode(schema, raw)).toEqual({
      ok: false,
      error: { code: 'invalid-message', reason: 'a string holds a NUL character or an unpaired surrogate, which Postgres cannot store' },
    });
  });

  it('accepts a surrogate pair and other control characters', () => {
    expect(decode(schema, '{"name":"\\ud83d\\ude00 \\u0001"}')).toEqual({ ok: true, value: { name: '\u{1F600} \u0001' } });
  });
});
