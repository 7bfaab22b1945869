import { Controller, Get, Header, MessageEvent, Param, Query, Res, Sse, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { concatMap, from, Observable, startWith, takeUntil, timer } from 'rxjs';
import { DataSource } from 'typeorm';
import { AcceptsStreamTicket, CurrentUser, Principal, Roles, type VerifiedPrincipal } from '@trial/auth';
import {
  adtteCsv, adtteRows, blindedView, interimReport, parseReadoutQuery, type ParsedQuery, type ReadoutResult,
} from '@trial/readmodel';
import { analysisAt, followUpsNow, getTrial, listTrials, ReadError, recordAudit, type AuditedView } from '@trial/readstore';
import type { SurvivalReadout } from '@trial/survival';
import { ReadoutEvents } from './readout-events';
import { TrialExistsGuard } from './trial-exists.guard';

type Raw = Record<string, unknown>;

/**
 * The read-out API. A monitor gets the blinded cut (one pooled group `all`, no comparison);
 * a dsmb member gets everything, and each of their reads is appended to the audit log before
 * the answer is sent.
 */
@ApiTags('read-out')
@ApiBearerAuth()
@Controller('trials')
export class ReadoutController {
  constructor(@InjectDataSource() private readonly ds: DataSource, private readonly events: ReadoutEvents) {}

  @Get()
  @Roles('monitor', 'dsmb')
  @ApiOkResponse({ description: 'Every trial: arms, accrual, deaths so far, completeness per registry, information fraction' })
  async list(): Promise<unknown> {
    return listTrials(this.ds);
  }

  @Get(':trialId')
  @Roles('monitor', 'dsmb')
  @ApiOkResponse({ description: 'One trial; dsmb also gets per-arm accrual, deaths per 100 person-years and numbers at risk' })
  async trial(@Param('trialId') trialId: string, @CurrentUser() user: Principal): Promise<unknown> {
    const t = await getTrial(this.ds, trialId);
    const { analysis } = await analysisAt(this.ds, trialId, {}, {});
    if (user.role !== 'dsmb') {
      const b = blindedView(analysis);
      return { ...t, accrual: b.accrual, deathRate: b.deathRate, atRisk: b.atRisk };
    }
    await this.audit(user, trialId, 'trial', {});
    return { ...t, accrual: analysis.accrual, deathRates: analysis.deathRates, atRisk: analysis.atRisk };
  }

  @Get(':trialId/survival')
  @Roles('monitor', 'dsmb')
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO instant: the read-out as the pipeline held it then' })
  @ApiQuery({ name: 'dataCutoff', required: false, description: 'YYYY-MM-DD administrative cutoff' })
  @ApiQuery({ name: 'at', required: false, description: 'comma-separated times (days) for survival-at rows' })
  @ApiQuery({ name: 'tau', required: false, description: 'RMST restriction time (days)' })
  @ApiQuery({ name: 'confType', required: false, enum: ['log', 'log-log', 'plain'] })
  @ApiQuery({ name: 'ties', required: false, enum: ['efron', 'breslow'] })
  @ApiOkResponse({ description: 'The `followup stats --json` document plus trialId, asOf, dataComplete, eventsApplied' })
  async survival(@Param('trialId') trialId: string, @Query() raw: Raw, @CurrentUser() user: Principal): Promise<unknown> {
    const q = parsed(raw);
    const held = await analysisAt(this.ds, trialId, q, q.query);
    const dsmb = user.role === 'dsmb';
    if (dsmb) await this.audit(user, trialId, 'survival', raw);
    const readout = unwrap(dsmb ? held.analysis.byArm : held.analysis.pooled);
    return { ...readout, trialId, asOf: held.asOf, dataComplete: held.analysis.dataComplete, eventsApplied: held.analysis.eventsApplied };
  }

  @Get(':trialId/interim')
  @Roles('dsmb')
  @ApiOkResponse({ description: 'Information fraction, Lan-DeMets boundaries for the looks so far, log-rank z and whether it crosses' })
  async interim(@Param('trialId') trialId: string, @Query() raw: Raw, @CurrentUser() user: Principal): Promise<unknown> {
    const q = parsed(raw);
    const held = await analysisAt(this.ds, trialId, q, q.query);
    const design = held.analysis.design;
    if (design === null) throw new ReadError('readout-unavailable', `trial ${trialId} has no TrialRegistered yet, so no design`);
    await this.audit(user, trialId, 'interim', raw);
    return { trialId, asOf: held.asOf, eventsApplied: held.analysis.eventsApplied, ...interimReport(design, unwrap(held.analysis.byArm)) };
  }

  @Get(':trialId/adtte.csv')
  @Roles('dsmb')
  @Header('content-type', 'text/csv; charset=utf-8')
  @ApiQuery({ name: 'dataCutoff', required: false })
  @ApiOkResponse({ description: 'CDISC ADaM ADTTE (overall survival), one row a patient' })
  async adtte(@Param('trialId') trialId: string, @Query() raw: Raw, @CurrentUser() user: Principal, @Res({ passthrough: true }) res: Response): Promise<string> {
    const q = parsed(raw);
    const { design, followUps } = await followUpsNow(this.ds, trialId, q.dataCutoff);
    await this.audit(user, trialId, 'adtte', raw);
    res.setHeader('content-disposition', `attachment; filename="${trialId.replace(/[^A-Za-z0-9._-]/g, '_')}-adtte.csv"`);
    return adtteCsv(adtteRows(trialId, design, followUps));
  }

  /**
   * Server-sent events: the role's current view, then again after every change (and after a
   * lost LISTEN connection is back). Opened with a bearer header or a stream ticket
   * (`?ticket=`, from POST /stream-tickets). The stream ends when the token behind it expires:
   * a by-arm view must not outlive the right to see it. A dsmb stream is audited when it opens
   * and at every by-arm read-out it pushes, each before it is sent.
   */
  @Sse(':trialId/stream')
  @AcceptsStreamTicket()
  @Roles('monitor', 'dsmb')
  @UseGuards(TrialExistsGuard)
  async stream(@Param('trialId') trialId: string, @CurrentUser() user: VerifiedPrincipal): Promise<Observable<MessageEvent>> {
    if (user.role === 'dsmb') await this.audit(user, trialId, 'stream', {});
    return this.events.forTrial(trialId).pipe(
      startWith(null),
      concatMap(() => from(this.headline(trialId, user))),
      takeUntil(timer(Math.max(0, user.exp * 1000 - Date.now()))),
    );
  }

  private async headline(trialId: string, user: Principal): Promise<MessageEvent> {
    const dsmb = user.role === 'dsmb';
    const { analysis, asOf } = await analysisAt(this.ds, trialId, {}, {});
    const r = dsmb ? analysis.byArm : analysis.pooled;
    const groups = r.ok ? r.value.groups.map((g) => ({ group: g.group, n: g.n, events: g.events, median: g.median.estimate })) : [];
    const data = {
      trialId, asOf, eventsApplied: analysis.eventsApplied, dataComplete: analysis.dataComplete, groups,
      ...(dsmb && r.ok ? { logRank: r.value.logRank, hazardRatios: r.value.cox?.terms.map((t) => ({ group: t.group, hazardRatio: t.hazardRatio })) ?? null } : {}),
    };
    // Which read-out was shown: the pipeline's instant and count identify it (asOf replays it).
    if (dsmb) await this.audit(user, trialId, 'stream-push', { asOf, eventsApplied: analysis.eventsApplied });
    return { type: 'readout', data };
  }

  private async audit(user: Principal, trialId: string, view: AuditedView, query: Raw): Promise<void> {
    await recordAudit(this.ds, { sub: user.sub, role: user.role, trialId, view, query });
  }
}

function parsed(raw: Raw): ParsedQuery {
  const p = parseReadoutQuery(raw);
  if (!p.ok) throw new ReadError('invalid-query', p.error.reason);
  return p.value;
}

function unwrap(r: ReadoutResult): SurvivalReadout {
  if (!r.ok) throw new ReadError('readout-unavailable', `${r.error.code}: ${r.error.message}`);
  return r.value;
}
