import { z } from 'zod';
import { decode } from './parse';

/** A DLQ reason must not quote the message: V8's JSON.parse errors can (issue 10; house rule). */
describe('decode: the reason for invalid JSON never quotes the input', () => {
  const schema = z.object({ n: z.number() });
  it.each([
    'Smith 9434765919 SE1 7EH',
    '{"familyName":"Smith","x":nope,"given":"John"}',
    '9434765919 Smith',
    'SE1 7EH',
  ])('%s', (raw) => {
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
    expect(decode(schema, '{"a":1,x')).toMatchObject({ error: { reason: "not JSON: Expected double-quoted property name in JSON at position 7" } });
  });
});
