import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { CodedError } from '@trial/contracts';
import { assertNever } from '@trial/followup';
import type { ReviewDecisionError } from '@trial/linkage-service';

/** A reviewer's decision that the queue refused (reviewDecision's error), on its way to HTTP. */
export class ReviewRefused extends CodedError<ReviewDecisionError['code']> {
  constructor(readonly error: ReviewDecisionError) {
    super(error.code, error.reason);
  }
}

/** The one place refused review decisions become HTTP: a status and `{ code, message }`. */
@Catch(ReviewRefused)
export class ReviewErrorFilter implements ExceptionFilter {
  catch(e: ReviewRefused, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().status(reviewStatusOf(e.error)).json({ code: e.error.code, message: e.error.reason });
  }
}

export function reviewStatusOf(e: ReviewDecisionError): number {
  switch (e.code) {
    case 'invalid-body':
      return 400;
    case 'not-found':
      return 404;
    case 'not-open':
      return 409;
    case 'not-a-candidate':
      return 422;
    default:
      return assertNever(e);
  }
}
