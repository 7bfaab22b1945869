import { CallHandler, ExecutionContext, HttpException, Injectable, NestInterceptor, ServiceUnavailableException } from '@nestjs/common';
import type { Response } from 'express';
import { Observable, catchError, throwError } from 'rxjs';
import { failureCode } from '@trial/messaging';

/** Seconds a client is asked to wait before it tries again. */
export const RETRY_AFTER_S = 5;

/**
 * A request that met a failure of the environment (Postgres unreachable, out of disk or
 * shutting down; the broker gone or its leaders moving; a connection refused or timed out) is
 * answered 503 with Retry-After, not 500: nothing is wrong with the request, and an ingest job
 * or a dashboard should try again, not report a bug. The body names the failure's class only,
 * never its text (which can quote data). Anything else goes on to the exception filters.
 */
@Injectable()
export class UnavailableInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((e: unknown) => {
        const cause = environmentalCause(e);
        if (cause === null || context.getType() !== 'http') return throwError(() => e);
        context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(RETRY_AFTER_S));
        return throwError(
          () =>
            new ServiceUnavailableException({
              statusCode: 503,
              code: 'unavailable',
              message: `a service this request needs is unavailable (${cause}); retry later`,
            }),
        );
      }),
    );
  }
}

/** The failure's class when it is recognisably the environment's, else null (a bug stays a 500). */
export function environmentalCause(e: unknown): string | null {
  if (e instanceof HttpException) return null;
  const code = failureCode(e);
  if (/^postgres (08|40|53|57|58)/.test(code)) return code;
  if (code.startsWith('kafka ')) return code;
  if (/ E(CONNREFUSED|CONNRESET|TIMEDOUT|PIPE|HOSTUNREACH|NETUNREACH|NOSPC)$/.test(code)) return code;
  return null;
}
