import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { ReadError, type ReadErrorCode } from '@trial/projection';
import { assertNever } from '@trial/followup';

/** The one place expected read-side failures become HTTP: a status and `{ code, message }`. */
@Catch(ReadError)
export class ReadErrorFilter implements ExceptionFilter {
  catch(e: ReadError, host: ArgumentsHost): void {
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(statusOf(e.code))
      .json({ statusCode: statusOf(e.code), code: e.code, message: e.message });
  }
}

export function statusOf(code: ReadErrorCode): number {
  switch (code) {
    case 'invalid-query':
      return 400;
    case 'trial-not-found':
    case 'not-yet-projected':
    case 'look-not-found':
      return 404;
    case 'readout-unavailable':
      return 422;
    default:
      return assertNever(code);
  }
}
