import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSRequestTimeoutError } from 'kafkajs';
import { PermanentError, backoffMs, classify, failureCode, isTransient } from './errors';

const pg = (code: string) => Object.assign(new Error('some server text that may quote data'), { code, severity: 'ERROR' });

describe("classify: only a PermanentError is the message's fault", () => {
  it('dead-letters a PermanentError with its code', () => {
    expect(classify(new PermanentError('unknown-review', 'no such review'))).toEqual({ kind: 'permanent', code: 'unknown-review' });
    expect(isTransient(new PermanentError('x', 'y'))).toBe(false);
  });

  it.each([
    ['08006', 'connection exception'],
    ['08001', 'connection exception'],
    ['53100', 'disk full'],
    ['53200', 'out of memory'],
    ['53300', 'too many connections'],
    ['57P01', 'admin shutdown'],
    ['57014', 'query canceled'],
    ['58030', 'system error'],
    ['40001', 'serialization failure'],
    ['40P01', 'deadlock detected'],
  ])('retries Postgres %s (%s)', (code, what) => {
    expect(classify(pg(code))).toEqual({ kind: 'environmental', code: `postgres ${code} (${what})` });
  });

  it('retries other Postgres errors too, a TypeORM QueryFailedError included', () => {
    expect(classify(pg('23505'))).toEqual({ kind: 'environmental', code: 'postgres 23505' });
    const typeorm = Object.assign(new Error('x'), { name: 'QueryFailedError', code: '53100', driverError: pg('53100') });
    expect(classify(typeorm)).toEqual({ kind: 'environmental', code: 'postgres 53100 (disk full)' });
  });

  it('retries broker errors and timeouts, retriable or not', () => {
    // kafkajs builds these from a protocol error description; its typings say Error.
    const tooLarge = new KafkaJSProtocolError({ type: 'MESSAGE_TOO_LARGE', code: 10, retriable: false, message: 'too large' } as unknown as Error);
    expect(classify(tooLarge)).toEqual({ kind: 'environmental', code: 'kafka KafkaJSProtocolError MESSAGE_TOO_LARGE' });
    expect(classify(new KafkaJSConnectionError('gone')).kind).toBe('environmental');
    expect(classify(new KafkaJSRequestTimeoutError('slow')).kind).toBe('environmental');
    expect(classify(new KafkaJSNumberOfRetriesExceeded(new Error('x'), { retryCount: 5, retryTime: 100 })).kind).toBe('environmental');
    expect(classify(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toEqual({
      kind: 'environmental',
      code: 'Error ECONNREFUSED',
    });
    expect(classify(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toEqual({ kind: 'environmental', code: 'Error EPIPE' });
  });

  it('retries the unknown: a plain Error, a TypeError, a thrown string or nothing', () => {
    expect(classify(new Error('boom'))).toEqual({ kind: 'environmental', code: 'Error' });
    expect(classify(new TypeError("Cannot read properties of undefined (reading 'x')"))).toEqual({ kind: 'environmental', code: 'TypeError' });
    expect(classify('a string')).toEqual({ kind: 'environmental', code: 'string' });
    expect(classify(undefined)).toEqual({ kind: 'environmental', code: 'undefined' });
    expect(classify({ code: 'invalid-message' }).kind).toBe('environmental');
  });

  it("never puts the error's text in the code", () => {
    const e = Object.assign(new Error('Key (nhs_number)=(9434765919) already exists'), { code: '23505', severity: 'ERROR', name: 'error' });
    expect(failureCode(e)).not.toMatch(/9434765919/);
    expect(failureCode(Object.assign(new Error('x'), { name: 'Smith John 9434765919 with spaces' }))).toBe('Error');
  });
});

describe('backoffMs', () => {
  const opts = { initialMs: 200, maxMs: 10_000 };
  it('doubles up to the cap, with jitter in [half, all]', () => {
    expect([0, 1, 2, 3].map((n) => backoffMs(n, opts, () => 1))).toEqual([200, 400, 800, 1600]);
    expect([0, 1, 2].map((n) => backoffMs(n, opts, () => 0))).toEqual([100, 200, 400]);
    expect(backoffMs(10, opts, () => 1)).toBe(10_000);
    expect(backoffMs(10_000, opts, () => 0.5)).toBe(7_500);
  });
});
