import type { DataSource } from 'typeorm';
import type { LogEvent } from '@trial/readmodel';
import { applyWithCheckpoints } from '@trial/storage';
import { applyBatch, outOf, type BatchEffect, type BatchOut } from './apply-batch';
import { GroupCommit } from './group-commit';
import { lockBatch, locksOf } from './locks';
import { noProfiler, type Profiler } from './profiler';
import { rows } from './rows';
import { SnapshotFlusher } from './snapshot-flusher';
import { TrialCache } from './trial-cache';

export type { BatchOut } from './apply-batch';

/** The projector's checkpoint and dedupe name; replay sets its checkpoints. */
export const PROJECTOR = 'projector';

export interface BatchIn {
  topic: string;
  partition: number;
  lastOffset: string;
  /** `timestamp` (the broker's, ms since the epoch), when known: the profiler's `queued`. */
  messages: Array<{ offset: string; value: LogEvent; timestamp?: string }>;
}

/**
 * Applies partition batches to the read models; batches of different partitions may run
 * concurrently (each is its own transaction with its own checkpoint). Its parts:
 *
 * - group-commit.ts: batches handed over while a transaction runs go together in the next one
 *   (each partition's checkpoint moves in it), so a fetch's batches share one commit;
 * - locks.ts: the advisory locks every batch takes, in one order;
 * - apply-batch.ts: in the batch's transaction (with the checkpoint and the event-id dedupe,
 *   dedupe.ts): patients' states and follow-ups, their append-only history, completeness, and
 *   per trial a version and event count. That is the whole truth; everything else is derived
 *   from it. The trial rows are upserted last and in sorted order, so concurrent batches
 *   serialise only on that short tail and never deadlock; a patient's events are keyed to one
 *   partition, so patient rows do not conflict (a completeness move, which re-derives many
 *   patients, runs alone: COMPLETENESS_LOCK);
 * - trial-cache.ts: per trial a cohort in memory at exactly one committed version, each commit's
 *   changes folded in strictly in version order (a gap is reloaded);
 * - snapshot-flusher.ts: writes changed trials' snapshots and NOTIFYs, coalescing batches. A
 *   crash between commit and flush leaves `rm_readouts.version` behind `rm_trials.version`;
 *   readers then compute from the patients (queries.ts) and `repairStale` rewrites it at start;
 * - profiler.ts: optional per-phase timings, injected.
 *
 * What it refuses rather than apply or drop: each patient's events go through the guard of
 * @trial/readmodel (an outcome whose `seq` or record version goes back, a second, different
 * randomisation) and every event through the content-hash dedupe (an id reused with other
 * content). A refusal throws a PermanentError, so the consumer re-runs the batch a message at a
 * time and dead-letters that message alone with its code. Patient events of a trial not
 * registered yet are parked (park.ts) and applied when it is. Replay (rebuild.ts) folds the log
 * with the same rules (foldLog), so it leaves out what went to the DLQ.
 */
export class ReadModelProjector {
  private readonly cache = new TrialCache();
  private readonly flusher: SnapshotFlusher;
  private readonly group = new GroupCommit<BatchIn, BatchOut>(
    (b) => this.applyGroup(b),
    (b) => `${b.topic}:${b.partition}`,
  );

  constructor(
    private readonly ds: DataSource,
    private readonly now: () => string,
    onFlushError: (e: unknown) => void = () => undefined,
    private readonly consumer = PROJECTOR,
    private readonly profiler: Profiler = noProfiler,
  ) {
    this.flusher = new SnapshotFlusher(ds, this.cache, onFlushError, profiler);
  }

  /**
   * Applies one partition batch; batches handed over while a transaction runs are applied
   * together in the next one (group-commit.ts), each with its own checkpoint.
   */
  apply(batch: BatchIn): Promise<BatchOut> {
    const oldest = oldestOf([batch]);
    if (oldest !== null) this.profiler.mark('handedOver', Date.now() - oldest);
    return this.group.submit(batch);
  }

  private async applyGroup(batches: BatchIn[]): Promise<BatchOut[]> {
    const t0 = performance.now();
    // How long the group's oldest message waited for its transaction: the send, fetch, decode (all in
    // handedOver, at apply) and the group before.
    const oldest = oldestOf(batches);
    if (oldest !== null) this.profiler.mark('queued', Date.now() - oldest);
    let effect: BatchEffect | null = null;
    const outs = await applyWithCheckpoints(this.ds, this.consumer, batches, async (tx, fresh) => {
      await this.profiler.time('locks', () => lockBatch(tx, locksOf(batches.flatMap((b) => b.messages.map((m) => m.value)))));
      const e = await applyBatch(
        tx,
        fresh.flat().map((m) => m.value),
        { consumer: this.consumer, now: this.now(), profiler: this.profiler },
      );
      effect = e;
      return fresh.map((f, i) =>
        outOf(
          f.map((m) => m.value),
          e,
          batches[i].messages.length - f.length,
        ),
      );
    });
    this.profiler.mark('batchTx', performance.now() - t0);
    this.profiler.mark('groupSize', batches.length);
    this.profiler.mark(
      'batchSize',
      batches.reduce((n, b) => n + b.messages.length, 0),
    );
    // Committed: only now may the cache take the versions (a rolled-back batch never happened).
    // The flusher is nudged either way, so a change a failed flush kept goes out with this batch.
    const done = effect as BatchEffect | null;
    if (done !== null) this.committed(batches, done);
    this.flusher.changed([]);
    return outs;
  }

  /** Resolves when every committed change has been written out (tests, shutdown). */
  /** Stops the snapshot flusher's retries and timers (shutdown, tests): nothing more is flushed. */
  stop(): void {
    this.flusher.stop();
  }

  async drain(): Promise<void> {
    await this.flusher.drain();
  }

  /** Rewrites snapshots that are behind their trial's version (after a crash before a flush). */
  async repairStale(): Promise<number> {
    const stale = await rows<{ trial_id: string }>(
      this.ds,
      `select t.trial_id from rm_trials t left join rm_readouts r using (trial_id) where r.version is null or r.version < t.version`,
    );
    for (const { trial_id } of stale) this.cache.forget(trial_id);
    this.flusher.changed(stale.map((s) => s.trial_id));
    await this.drain();
    return stale.length;
  }

  /** Forgets every cached trial (after a replay in this process). */
  reset(): void {
    this.cache.clear();
  }

  private committed(batches: BatchIn[], e: BatchEffect): void {
    const causes = batches.map((b) => ({ topic: b.topic, partition: b.partition, lastOffset: b.lastOffset }));
    for (const v of e.versions) {
      this.cache.record(v.trial_id, Number(v.version), {
        diffs: e.diffs.get(v.trial_id) ?? [],
        design: v.design,
        eventsApplied: Number(v.events_applied),
        dataComplete: e.completeness,
        causes,
        changedAt: v.updated_at.toISOString(),
      });
    }
    this.flusher.changed(e.versions.map((v) => v.trial_id));
  }
}

/** The earliest broker timestamp of the batches' messages (ms), if they carry one. */
function oldestOf(batches: readonly BatchIn[]): number | null {
  // A loop, not Math.min(...all): a backlog's group holds tens of thousands of messages.
  let t = Infinity;
  for (const b of batches) for (const m of b.messages) if (Number(m.timestamp) > 0 && Number(m.timestamp) < t) t = Number(m.timestamp);
  return Number.isFinite(t) ? t : null;
}
