import { Injectable, MessageEvent } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { concatMap, from, Observable, startWith, takeUntil, timer } from 'rxjs';
import { DataSource } from 'typeorm';
import type { Principal, VerifiedPrincipal } from '@trial/auth';
import {
  adamZip,
  adtteCsv,
  adtteRows,
  endpointNames,
  headlineOf,
  interimReport,
  isUnblinded,
  parseReadoutQuery,
  viewFor,
  type ParsedQuery,
  type ReadoutResult,
} from '@trial/readmodel';
import {
  analysisAt,
  followUpsNow,
  getTrial,
  listAudit,
  listLooks,
  listTrials,
  ReadError,
  recordAudit,
  type AuditedView,
  type AuditEntry,
  type TrialListing,
} from '@trial/projection';
import { SurvivalError, type SurvivalReadout } from '@trial/survival';
import type { InterimDto } from './dto/interim.dto';
import type { ArmSummaryDto, ReadoutPushDto, SummaryDto, SurvivalDto, TrialDto } from './dto/readout.dto';
import { ReadoutEvents } from './readout-events';

type Raw = Record<string, unknown>;

/**
 * The read-out as each role may see it. Blinding is `viewFor(role, analysis)` (libs/readmodel)
 * and nothing else; every unblinded read is appended to the audit log here, before its answer
 * is returned (or, for a stream, before each push is sent).
 */
@Injectable()
export class ReadoutService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly events: ReadoutEvents,
  ) {}

  list(): Promise<TrialListing[]> {
    return listTrials(this.ds);
  }

  async trial(trialId: string, user: Principal): Promise<TrialDto> {
    const t = await getTrial(this.ds, trialId);
    const { analysis } = await analysisAt(this.ds, trialId, {}, {});
    const view = viewFor(user.role, analysis);
    if (!view.blinded) await this.audit(user, trialId, 'trial', {});
    return { ...t, ...view.figures, endpoints: endpointNames(analysis.design) };
  }

  async survival(trialId: string, raw: Raw, user: Principal): Promise<SurvivalDto> {
    const q = parsed(raw);
    const held = await analysisAt(this.ds, trialId, q, q.query, { closed: true });
    const view = viewFor(user.role, held.analysis);
    // Audited even when the read-out then cannot be given: the request was for the by-arm view.
    if (!view.blinded) await this.audit(user, trialId, 'survival', raw);
    const readout = unwrap(view.readout);
    // Stratified, subgroups and endpoints after the part-1 fields, only for a trial with a plan.
    const { dataComplete, eventsApplied } = held.analysis;
    return { ...readout, trialId, asOf: held.asOf, dataComplete, eventsApplied, ...view.closed };
  }

  /**
   * dsmb only (the route's role): `followup interim` on the looks taken (as of `asOf` when
   * given) and the current position as a prospective look; the z needs the by-arm log-rank.
   */
  async interim(trialId: string, raw: Raw, user: Principal): Promise<InterimDto> {
    const q = parsed(raw);
    const held = await analysisAt(this.ds, trialId, q, q.query);
    const design = held.analysis.design;
    if (design === null) throw new ReadError('readout-unavailable', `trial ${trialId} has no TrialRegistered yet, so no design`);
    await this.audit(user, trialId, 'interim', raw);
    const taken = (await listLooks(this.ds, trialId)).filter((l) => q.asOf === undefined || l.recordedAt <= held.asOf).map((l) => l.event);
    try {
      return { trialId, asOf: held.asOf, eventsApplied: held.analysis.eventsApplied, ...interimReport(design, taken, unwrap(held.analysis.byArm)) };
    } catch (err) {
      if (err instanceof SurvivalError) throw new ReadError('readout-unavailable', `${err.code}: ${err.message}`);
      throw err;
    }
  }

  /** dsmb only (the route's role): one row a patient, by arm. */
  async adtte(trialId: string, raw: Raw, user: Principal): Promise<{ filename: string; csv: string }> {
    const q = parsed(raw);
    const { design, followUps } = await followUpsNow(this.ds, trialId, q.dataCutoff);
    await this.audit(user, trialId, 'adtte', raw);
    return { filename: `${trialId.replace(/[^A-Za-z0-9._-]/g, '_')}-adtte.csv`, csv: adtteCsv(adtteRows(trialId, design, followUps)) };
  }

  /**
   * dsmb only (the route's role): the ADaM package (ADSL and ADTTE as CSV and SAS transport v5,
   * one zip) of the follow-ups now, or at `dataCutoff`; audited before it is built.
   */
  async adam(trialId: string, raw: Raw, user: Principal): Promise<{ filename: string; zip: Uint8Array }> {
    const q = parsed(raw);
    const { design, followUps } = await followUpsNow(this.ds, trialId, q.dataCutoff);
    await this.audit(user, trialId, 'adam', raw);
    return { filename: `${trialId.replace(/[^A-Za-z0-9._-]/g, '_')}-adam.zip`, zip: adamZip(trialId, design, followUps, new Date()) };
  }

  /** dsmb only (the route's role): randomised and deaths per arm, in TrialRegistered's arm order. */
  async summary(trialId: string, user: Principal): Promise<SummaryDto> {
    const { analysis } = await analysisAt(this.ds, trialId, {}, {});
    await this.audit(user, trialId, 'summary', {});
    const arms = analysis.design?.arms ?? analysis.accrual.byArm.map((a) => a.arm);
    return {
      trialId,
      arms: arms.map((arm): ArmSummaryDto => ({
        arm,
        randomised: analysis.accrual.byArm.find((a) => a.arm === arm)?.n ?? 0,
        deaths: analysis.deathRates.find((d) => d.arm === arm)?.deaths ?? 0,
      })),
    };
  }

  /** dsmb only (the route's role). `limit` as sent in the query: 1-1000, default 100. */
  auditLog(trialId: string | undefined, limit: string | undefined): Promise<AuditEntry[]> {
    const n = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new ReadError('invalid-query', 'limit: must be an integer from 1 to 1000');
    return listAudit(this.ds, { trialId, limit: n });
  }

  /**
   * The role's current view, then again after every change (and after a lost LISTEN connection
   * is back), until the token behind the stream expires: a by-arm view must not outlive the
   * right to see it. A dsmb stream is audited when it opens and at every push, before it is sent.
   */
  async stream(trialId: string, user: VerifiedPrincipal): Promise<Observable<MessageEvent>> {
    if (isUnblinded(user.role)) await this.audit(user, trialId, 'stream', {});
    return this.events.forTrial(trialId).pipe(
      startWith(null),
      concatMap(() => from(this.push(trialId, user))),
      takeUntil(timer(Math.max(0, user.exp * 1000 - Date.now()))),
    );
  }

  private async push(trialId: string, user: Principal): Promise<MessageEvent> {
    const { analysis, asOf } = await analysisAt(this.ds, trialId, {}, {});
    const view = viewFor(user.role, analysis);
    const { groups, comparison } = headlineOf(view);
    const data: ReadoutPushDto = { trialId, asOf, eventsApplied: analysis.eventsApplied, dataComplete: analysis.dataComplete, groups, ...comparison };
    // Which read-out was shown: the pipeline's instant and count identify it (asOf replays it).
    if (!view.blinded) await this.audit(user, trialId, 'stream-push', { asOf, eventsApplied: analysis.eventsApplied });
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
