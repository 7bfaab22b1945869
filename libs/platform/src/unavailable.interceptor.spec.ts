import { BadRequestException, CallHandler, ExecutionContext, ServiceUnavailableException } from '@nestjs/common';
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import { firstValueFrom, throwError } from 'rxjs';
import { UnavailableInterceptor, environmentalCause } from './unavailable.interceptor';

const pg = (code: string) => Object.assign(new Error('could not extend file "base/1/2": wrote only 4096 of 8192 bytes'), { code, severity: 'ERROR' });

/** Runs the interceptor over a handler that fails with `e`: what it throws, and the headers it set. */
function run(e: unknown): { error: Promise<unknown>; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  const ctx = {
    getType: () => 'http',
    switchToHttp: () => ({
      getResponse: () => ({
        setHeader: (k: string, v: string) => {
          headers[k] = v;
        },
      }),
    }),
  } as unknown as ExecutionContext;
  const next: CallHandler = { handle: () => throwError(() => e) };
  const error = firstValueFrom(new UnavailableInterceptor().intercept(ctx, next)).then(
    () => undefined,
    (x: unknown) => x,
  );
  return { error, headers };
}

describe('UnavailableInterceptor: the environment failing is a 503, never a 500', () => {
  it('answers 503 with Retry-After for a full disk, a Postgres shutdown and a lost broker, naming the class only', async () => {
    for (const e of [
      pg('53100'),
      pg('57P01'),
      pg('08006'),
      new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), {
        retryCount: 5,
        retryTime: 100,
      }),
    ]) {
      const r = run(e);
      const error = await r.error;
      expect(error).toBeInstanceOf(ServiceUnavailableException);
      const body = (error as ServiceUnavailableException).getResponse() as { code: string; message: string };
      expect(body.code).toBe('unavailable');
      expect(body.message).not.toContain('base/1/2');
      expect(r.headers['Retry-After']).toBe('5');
    }
  });

  it('leaves HTTP errors, domain errors and bugs to the filters', async () => {
    const refused = new BadRequestException('source: is required');
    expect(await run(refused).error).toBe(refused);
    const bug = new TypeError('x is undefined');
    expect(await run(bug).error).toBe(bug);
    expect(environmentalCause(pg('23505'))).toBeNull();
    expect(environmentalCause(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toMatch(/ECONNREFUSED/);
  });
});
