import { z } from 'zod';
import { decode } from './parse';

/**
 * decode runs outside the consumer's retry loop: if it throws, the batch fails, the consumer
 * crashes and meets the same message after every restart. Any bytes must give a Result.
 */
describe('decode: deeply nested JSON is a result, never a throw', () => {
  const schema = z.object({ a: z.number() });
  const n = 100_000; // 200 kB, well under the broker's 1 MB limit

  it('refuses arrays nested 100,000 deep under a field', () => {
    const raw = Buffer.from(`{"a":${'['.repeat(n)}${']'.repeat(n)}}`);
    const r = decode(schema, raw);
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-message' } });
  });

  it('refuses objects nested 100,000 deep under an unknown key', () => {
    const raw = Buffer.from(`{"a":1,"x":${'{"y":'.repeat(n)}1${'}'.repeat(n)}}`);
    expect(() => decode(schema, raw)).not.toThrow();
  });

  it('still finds a NUL deep down', () => {
    const raw = Buffer.from(`{"a":1,"x":${'['.repeat(n)}"\\u0000"${']'.repeat(n)}}`);
    expect(decode(schema, raw)).toMatchObject({ ok: false, error: { code: 'invalid-message', reason: expect.stringContaining('NUL') } });
  });
});
