import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import type { Principal } from '@trial/auth';
import { civilDate, describeIssues, enrollmentKey, instant, TopicNames } from '@trial/contracts';
import { publish } from '@trial/messaging';
import { CLOCK, Clock, PRODUCER, TOPICS } from '@trial/platform';
import { decideTakeLook, signedLogRankZ } from '@trial/readmodel';
import {
  analysisAt,
  getLook,
  getTrial,
  listLooks,
  looksTakenOrReserved,
  ReadError,
  recordAudit,
  reserveLook,
  withLookLock,
  type AuditedView,
  type StoredLook,
} from '@trial/projection';
import type { FrozenLookDto, LookAcceptedDto, LookDto } from './dto/interim.dto';
import { LookRefused } from './look-errors.filter';

/** The read-out the board looked at: its `asOf` (GET /interim's; now when absent) and data cutoff. */
const takeBody = z.object({ asOf: instant.optional(), dataCutoff: civilDate.optional() }).strict();
const PROJECTION_WAIT_MS = 10_000;

/**
 * The board's looks (dsmb role): taking one records the read-out it saw as an
 * InterimLookTaken on the trial's log (decideTakeLook says whether it may); the projector
 * freezes it; the list and each frozen look are read back from rm_looks. Every call is audited.
 * Numbering is safe across API processes: the look is decided, reserved (look_reservations) and
 * published in one transaction under the trial's look lock, so a second process deciding next
 * sees it, frozen or not, and is refused as the same information rather than publishing look n again.
 */
@Injectable()
export class LooksService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(PRODUCER) private readonly producer: Producer,
    @Inject(CLOCK) private readonly now: Clock,
  ) {}

  async take(trialId: string, body: unknown, user: Principal): Promise<LookAcceptedDto> {
    const b = takeBody.safeParse(body ?? {});
    if (!b.success) throw new ReadError('invalid-query', describeIssues(b.error));
    const asOf = b.data.asOf === undefined ? undefined : new Date(b.data.asOf).toISOString();
    const dataCutoff = b.data.dataCutoff ?? null;
    const moment = { ...(asOf === undefined ? {} : { asOf }), ...(dataCutoff === null ? {} : { dataCutoff }) };
    await this.audit(user, trialId, 'look-taken', moment);
    // The read-out the board saw, read before the lock: the transaction below needs no second connection.
    const held = await analysisAt(this.ds, trialId, moment, {});
    const byArm = held.analysis.byArm;
    const now = { events: byArm.ok ? byArm.value.events : 0, z: byArm.ok ? signedLogRankZ(byArm.value) : null };
    const e = await withLookLock(this.ds, trialId, async (tx) => {
      const takenAt = this.now();
      const decision = decideTakeLook(
        {
          trialId,
          design: held.analysis.design,
          taken: await looksTakenOrReserved(tx, trialId),
          now,
          asOf: held.asOf,
          dataCutoff,
        },
        { takenBy: user.sub, takenAt, eventId: randomUUID() },
      );
      if (!decision.ok) throw new LookRefused(decision.error);
      const taken = decision.event;
      if (!(await reserveLook(tx, taken, takenAt))) {
        throw new LookRefused({ code: 'look-number-taken', reason: `look ${taken.look} of trial ${trialId} was taken by another request` });
      }
      // Published before the reservation commits: a failed publish leaves no reservation behind.
      await publish(this.producer, this.topics.enrollments, [{ key: enrollmentKey(taken), value: taken }]);
      return taken;
    });
    await this.projected(trialId, e.look);
    return e;
  }

  /** Waits (a few seconds at most) for the projector to freeze the look just published. */
  private async projected(trialId: string, look: number): Promise<void> {
    const deadline = Date.now() + PROJECTION_WAIT_MS;
    while (Date.now() < deadline) {
      const [row] = (await this.ds.query('select 1 from rm_looks where trial_id = $1 and look = $2', [trialId, look])) as unknown[];
      if (row !== undefined) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async list(trialId: string, user: Principal): Promise<LookDto[]> {
    await getTrial(this.ds, trialId);
    await this.audit(user, trialId, 'looks', {});
    return (await listLooks(this.ds, trialId)).map(({ report: _report, ...l }) => summary(l));
  }

  async one(trialId: string, look: number, user: Principal): Promise<FrozenLookDto> {
    await getTrial(this.ds, trialId);
    await this.audit(user, trialId, 'look', { look });
    const l = await getLook(this.ds, trialId, look);
    return { ...summary(l), report: l.report, closed: l.closed };
  }

  private async audit(user: Principal, trialId: string, view: AuditedView, query: Record<string, unknown>): Promise<void> {
    await recordAudit(this.ds, { sub: user.sub, role: user.role, trialId, view, query });
  }
}

function summary(l: Omit<StoredLook, 'report'>): LookDto {
  return { taken: l.event, recordedAt: l.recordedAt, unavailable: l.unavailable };
}
