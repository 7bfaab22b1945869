import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { getTrial } from '@trial/projection';

/**
 * Refuses a route whose `:trialId` names no trial, before its handler runs. The stream needs
 * it: Nest writes an SSE response's 200 and headers before an async handler settles, so a
 * `trial-not-found` thrown inside it could only end an already-open stream. A guard's error
 * goes through the exception filters like any other (404). Runs after the auth guard.
 */
@Injectable()
export class TrialExistsGuard implements CanActivate {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const trialId = context.switchToHttp().getRequest<Request>().params.trialId;
    await getTrial(this.ds, typeof trialId === 'string' ? trialId : '');
    return true;
  }
}
