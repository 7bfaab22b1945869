import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { CodedError } from '@trial/contracts';
import { assertNever } from '@trial/followup';
import { IngestError, type CorrectionRefusal } from '@trial/ingest';
import { RegistryFileError } from '@trial/registry';

/** A completeness correction that correctionFor refused, on its way to HTTP. */
export class CorrectionRefused extends CodedError<CorrectionRefusal['code']> {
  constructor(readonly refusal: CorrectionRefusal) {
    super(refusal.code, refusal.reason);
  }
}

type IngestFailure = IngestError | RegistryFileError | CorrectionRefused;

/**
 * The one place the ingest service's expected failures become HTTP, each `{ code, message }`
 * (with the field at fault where there is one):
 * - a whole-file problem of an upload is a 422, the extract is unusable as sent: IngestError (a
 *   refused completeUpTo, a source that does not match, before any row is sent) or
 *   RegistryFileError (empty, unknown or ambiguous layout, missing or repeated columns);
 * - a refused correction is a 400 when the body is malformed, a 422 when its date is refused.
 */
@Catch(IngestError, RegistryFileError, CorrectionRefused)
export class IngestErrorFilter implements ExceptionFilter {
  catch(e: IngestFailure, host: ArgumentsHost): void {
    const { status, body } = answer(e);
    host.switchToHttp().getResponse<Response>().status(status).json(body);
  }
}

function answer(e: IngestFailure): { status: number; body: Record<string, unknown> } {
  if (e instanceof CorrectionRefused) {
    const r = e.refusal;
    return { status: correctionStatus(r.code), body: { code: r.code, field: r.field, message: r.reason } };
  }
  const field = e instanceof IngestError && e.field ? { field: e.field } : {};
  return { status: 422, body: { code: e.code, message: e.message, ...field } };
}

function correctionStatus(code: CorrectionRefusal['code']): number {
  switch (code) {
    case 'invalid-request':
      return 400;
    case 'complete-up-to-in-future':
      return 422;
    default:
      return assertNever(code);
  }
}
