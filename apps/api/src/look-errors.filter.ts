import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { CodedError } from '@trial/contracts';
import { takeLookStatus, type TakeLookRefusal } from '@trial/readmodel';

/** A look the board may not take now (decideTakeLook's refusal), on its way to HTTP. */
export class LookRefused extends CodedError<TakeLookRefusal['code']> {
  constructor(readonly error: TakeLookRefusal) {
    super(error.code, error.reason);
  }
}

/** The one place refused looks become HTTP: a status and `{ code, message }`. */
@Catch(LookRefused)
export class LookErrorFilter implements ExceptionFilter {
  catch(e: LookRefused, host: ArgumentsHost): void {
    const status = takeLookStatus(e.error);
    host.switchToHttp().getResponse<Response>().status(status).json({ statusCode: status, code: e.error.code, message: e.error.reason });
  }
}
