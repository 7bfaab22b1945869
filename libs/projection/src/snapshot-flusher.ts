import type { DataSource } from 'typeorm';
import { isCodedError } from '@trial/contracts';
import { backoffMs } from '@trial/messaging';
import { closedSnapshotOf } from '@trial/readmodel';
import { noProfiler, type Profiler } from './profiler';
import { READOUT_CHANNEL, SAVE_SNAPSHOTS, snapshotsJson, type ReadoutCause, type ReadoutChanged, type Sql, type TrialSnapshot } from './rows';
import type { CachedTrial, TrialCache } from './trial-cache';

/** How long a trial whose stored rows do not read waits before the flusher tries it again. */
export const SET_ASIDE_MS = 30_000;
/** The pause after a failed flush: backoffMs from 100 ms, doubling to 5 s. */
const RETRY = { initialMs: 100, maxMs: 5_000 };

/**
 * Writes each changed trial's snapshot (the cohort's sufficient statistics, from the trial
 * cache) and NOTIFYs, in one statement of its own after the batches' commits, coalescing
 * however many batches committed meanwhile: writing every touched trial's snapshot in every
 * partition batch is what measured too slow. One flush runs at a time; trials that change
 * during it go out in the next one, straight away. A failed flush keeps its trials dirty.
 * A trial whose stored rows cannot be read back (stored-row-invalid) is set aside, reported and
 * tried again after SET_ASIDE_MS, so that it never holds back the other trials' read-outs.
 */
export class SnapshotFlusher {
  private readonly dirty = new Set<string>();
  private flushing: Promise<void> | null = null;
  /** Flushes failed in a row (0 after a success): the next try waits backoffMs of it. */
  private failures = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly ds: DataSource,
    private readonly cache: TrialCache,
    private readonly onError: (e: unknown) => void,
    private readonly profiler: Profiler = noProfiler,
  ) {}

  /** Marks trials changed and starts a flush unless one is running. */
  changed(trialIds: Iterable<string>): void {
    if (this.stopped) return;
    for (const t of trialIds) this.dirty.add(t);
    this.schedule();
  }

  /** Cancels the retries and set-aside trials' timers: nothing more is flushed (shutdown, tests). */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Resolves when every change marked so far has been written out (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.flushing !== null || this.dirty.size > 0) {
      this.schedule();
      await this.flushing;
    }
  }

  private schedule(): void {
    if (this.flushing !== null || this.dirty.size === 0) return;
    const tf = performance.now();
    this.flushing = this.flush()
      .then(() => {
        this.failures = 0;
        this.profiler.mark('flush', performance.now() - tf);
      })
      .catch((e: unknown) => {
        // An environmental failure (the database gone): tried again after a growing pause, not
        // at once, so that a flusher whose database is down or closed does not spin.
        this.failures++;
        this.onError(e);
      })
      .finally(() => {
        this.flushing = null;
        if (this.dirty.size === 0 || this.stopped) return;
        if (this.failures === 0) this.schedule();
        else this.later(backoffMs(this.failures - 1, RETRY, Math.random), () => this.schedule());
      });
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private async flush(): Promise<void> {
    const ids = [...this.dirty].sort();
    this.dirty.clear();
    try {
      const list: Array<{ snapshot: TrialSnapshot; version: number; recordedAt: string; causes: ReadoutCause[] }> = [];
      const taken: Array<[CachedTrial, number]> = [];
      for (const trialId of ids) {
        const c = await this.current(trialId);
        if (c === null) continue;
        list.push({
          version: c.version,
          recordedAt: c.changedAt,
          causes: [...c.causes],
          snapshot: {
            trialId,
            design: c.design,
            eventsApplied: c.eventsApplied,
            dataComplete: c.dataComplete,
            cohort: c.cohort.snapshot(),
            closed: closedSnapshotOf(c.design, c.closed),
          },
        });
        taken.push([c, c.causes.length]);
      }
      await this.profiler.time('saveSnapshots', () =>
        saveAndNotify(
          this.ds,
          list.map((x) => {
            const last = x.causes[x.causes.length - 1] ?? null;
            return {
              ...x,
              notice: {
                trialId: x.snapshot.trialId,
                version: x.version,
                eventsApplied: x.snapshot.eventsApplied,
                topic: last?.topic ?? null,
                partition: last?.partition ?? null,
                lastOffset: last?.lastOffset ?? null,
                causes: latestPerPartition(x.causes),
              },
            };
          }),
        ),
      );
      // Only the causes reported here: ones folded in meanwhile wait for the next flush.
      for (const [c, n] of taken) c.causes.splice(0, n);
    } catch (e) {
      for (const t of ids) this.dirty.add(t);
      throw e;
    }
  }

  /** The trial as cached, reloaded if the cache has a gap; null when its stored rows do not read (set aside). */
  private async current(trialId: string): Promise<CachedTrial | null> {
    try {
      if (this.cache.needsReload(trialId)) {
        this.profiler.mark('reload', 1);
        await this.cache.reload(this.ds, trialId);
      }
      return this.cache.get(trialId)!;
    } catch (e) {
      // Environmental failures fail the whole flush (retried, trials kept dirty); a row that
      // will never read fails only its own trial.
      if (!isCodedError(e, ['stored-row-invalid'])) throw e;
      this.onError(e);
      this.later(SET_ASIDE_MS, () => this.changed([trialId]));
      return null;
    }
  }
}

/**
 * Writes the snapshots (as saveSnapshots) and NOTIFYs each one written, in ONE statement and
 * so one round trip: a single statement is atomic, and the notifications go out at its commit.
 * The reloads before it need no transaction around them: each reads one version in one
 * statement, and the write's version guard keeps a newer snapshot from being overwritten.
 */
async function saveAndNotify(
  sql: Sql,
  list: ReadonlyArray<{ snapshot: TrialSnapshot; version: number; recordedAt: string; notice: ReadoutChanged }>,
): Promise<void> {
  if (!list.length) return;
  await sql.query(
    `with w as (${SAVE_SNAPSHOTS})
     select count(pg_notify($2, x.notice)) from w join unnest($3::text[], $4::text[]) as x(trial_id, notice) using (trial_id)`,
    [snapshotsJson(list), READOUT_CHANNEL, list.map((x) => x.snapshot.trialId), list.map((x) => JSON.stringify(x.notice))],
  );
}

/** The newest cause per topic-partition (offsets only grow within one). */
export function latestPerPartition(causes: readonly ReadoutCause[]): ReadoutCause[] {
  const by = new Map<string, ReadoutCause>();
  for (const c of causes) {
    const k = `${c.topic}:${c.partition}`;
    const was = by.get(k);
    if (!was || BigInt(c.lastOffset) > BigInt(was.lastOffset)) by.set(k, c);
  }
  return [...by.values()];
}
