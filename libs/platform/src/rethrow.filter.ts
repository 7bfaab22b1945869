import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC exception handling replaces an unknown error with a generic
 * `{ status: 'error', message: 'Internal server error' }`, which loses the code and reason our
 * consumer needs to decide between retrying and the DLQ. This filter hands the original
 * error back to the transport unchanged.
 */
@Catch()
export class RethrowRpcFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
