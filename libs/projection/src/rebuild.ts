import type { DataSource } from 'typeorm';
import type { TrialRegistered } from '@trial/contracts';
import {
  ClosedCohort,
  closedSnapshotOf,
  coveringRegistry,
  foldCompleteness,
  followUpOf,
  observationOf,
  TrialCohort,
  type Observation,
} from '@trial/readmodel';
import type { LogSource } from './log-reader';
import { movedSources, saveCompleteness } from './completeness';
import { lockForReplay } from './locks';
import { rebuildLooks } from './looks';
import { park } from './park';
import { noProfiler, type Profiler } from './profiler';
import { ReplayFolder } from './rebuild-fold';
import { heldDigests, markApplied, writePatients, type RebuiltPatient } from './rebuild-writes';
import { PROJECTOR } from './projector';
import { appendReadoutHistory, loadCompleteness, notifyChanged, rows, saveSnapshots } from './rows';

export interface RebuildOptions {
  /** Only this trial's read models (completeness is global and always rebuilt). */
  trialId?: string;
  now: () => string;
  consumer?: string;
  /** Times the read, the fold and the writes (bench:replay prints them); none by default. */
  profiler?: Profiler;
}

export interface RebuildReport {
  eventsRead: number;
  eventsApplied: number;
  invalid: number;
  trials: number;
  patients: number;
  /** Patients whose state differs from what the live read models held (history rows added). */
  changedPatients: number;
  /** Events left out as the live projector dead-letters them (an id reused, out of order, ...). */
  refused: number;
  /** Events parked: their trial is never registered in the log. */
  parked: number;
}

const CHUNK = 5_000;

/**
 * `followup replay`: drops the current read models (all, or one trial's) and rebuilds them
 * from the log with the same pure folds the live projector uses. It holds the projection lock
 * exclusively for the whole rebuild, so the live projector waits and then resumes from the
 * checkpoints set here (the log's end at the time of the read). History is append-only and not
 * dropped: a DSMB look stays reproducible; a rebuilt patient whose state differs from what was
 * held gets a new history row at the replay's time, so asOf tells the truth about both.
 * The log is folded in memory in one pass as it is read (ReplayFolder), then written set-based in the same
 * transaction (rebuild-writes.ts: streamed COPY, and over held rows only what differs), so the
 * rebuild and its checkpoints commit together or not at all.
 */
export async function rebuild(ds: DataSource, read: LogSource, options: RebuildOptions): Promise<RebuildReport> {
  const consumer = options.consumer ?? PROJECTOR;
  const only = options.trialId;
  const profiler = options.profiler ?? noProfiler;
  return ds.transaction(async (tx) => {
    await lockForReplay(tx);
    // Postgres digests the held patient rows while the log is read and folded (rebuild-writes.ts).
    const heldRows = heldDigests(tx, only ?? null);
    heldRows.catch(() => undefined); // Awaited below; a failure while the log is still read is not unhandled.
    // Dedupe and the guard over the whole log, as the live projector took it, folded in memory as it is read.
    const folder = new ReplayFolder(only);
    const log = await profiler.time('read and fold', () =>
      read((events, hashes) => {
        for (let i = 0; i < events.length; i++) folder.take(events[i], hashes?.[i]);
      }),
    );
    const fold = folder.finish();
    const now = options.now();
    const registered = new Set(fold.trials.map((t) => t.trialId));
    const completeness = foldCompleteness({}, fold.extracts);

    const tPrepare = performance.now();
    const oldVersions = new Map(
      (
        await rows<{ trial_id: string; version: string }>(tx, `select trial_id, version from rm_trials where $1::text is null or trial_id = $1`, [
          only ?? null,
        ])
      ).map((r) => [r.trial_id, Number(r.version)]),
    );
    const oldCompleteness = await loadCompleteness(tx);

    await tx.query(`delete from rm_readouts where $1::text is null or trial_id = $1`, [only ?? null]);
    await tx.query(`delete from rm_trials where $1::text is null or trial_id = $1`, [only ?? null]);
    await tx.query(`delete from rm_parked where $1::text is null or trial_id = $1`, [only ?? null]);

    await saveCompleteness(tx, completeness, movedSources(oldCompleteness, completeness), now);
    const held = await loadCompleteness(tx);

    for (let i = 0; i < fold.toPark.length; i += CHUNK) await park(tx, fold.toPark.slice(i, i + CHUNK), now);
    profiler.mark('prepare', performance.now() - tPrepare);
    // Each follow-up is derived as its row is streamed to Postgres; the cohorts collect the observations.
    const byTrial = new Map<string, Observation[]>();
    function* rebuilt(): Generator<RebuiltPatient> {
      for (const { state, guard } of fold.patients.values()) {
        const fu = followUpOf(state, held);
        if (fu) {
          const list = byTrial.get(fu.trialId);
          if (list) list.push(observationOf(fu));
          else byTrial.set(fu.trialId, [observationOf(fu)]);
        }
        yield [state.trialId!, state.patientId!, state, coveringRegistry(state), fu, guard];
      }
    }
    const digests = await profiler.time('held digests', () => heldRows);
    const changed = await profiler.time('patients', () => writePatients(tx, only ?? null, rebuilt(), digests, now));

    const designs = new Map<string, TrialRegistered>();
    for (const t of fold.trials) designs.set(t.trialId, t);
    const tReadouts = performance.now();
    const trialIds = [...new Set([...fold.perTrial.keys(), ...byTrial.keys()])].filter((t) => registered.has(t)).sort();
    for (const trialId of trialIds) {
      const design = designs.get(trialId) ?? null;
      const eventsApplied = fold.perTrial.get(trialId) ?? 0;
      // A new version, so every running projector reloads this trial rather than trust its cache.
      const version = (oldVersions.get(trialId) ?? 0) + 1;
      await tx.query(`insert into rm_trials (trial_id, design, version, events_applied, updated_at) values ($1, $2, $3, $4, $5)`, [
        trialId,
        design === null ? null : JSON.stringify(design),
        version,
        eventsApplied,
        now,
      ]);
      const cohort = TrialCohort.of(byTrial.get(trialId) ?? []).snapshot();
      const closed = closedSnapshotOf(design, ClosedCohort.of(design, byTrial.get(trialId) ?? []));
      await saveSnapshots(tx, [{ version, recordedAt: now, snapshot: { trialId, design, eventsApplied, dataComplete: held, cohort, closed } }]);
      await appendReadoutHistory(tx, [{ trialId, version, eventsApplied, dataComplete: held }], now);
      await notifyChanged(tx, { trialId, version, eventsApplied, topic: null, partition: null, lastOffset: null });
    }

    // The board's looks, frozen again from the log under the designs before them.
    const refusedLooks = await rebuildLooks(
      tx,
      only ?? null,
      fold.trialWide.filter((e) => registered.has(e.trialId)),
      now,
    );

    profiler.mark('readouts', performance.now() - tReadouts);

    // The live projector must neither re-apply nor miss anything after this (a one-trial replay records no registry event).
    const ids = only === undefined ? fold.keptIds : fold.keptIds.filter((_, i) => !fold.keptRegistry[i]);
    const hashes = only === undefined ? fold.keptHashes : fold.keptHashes.filter((_, i) => !fold.keptRegistry[i]);
    await profiler.time('applied', () => markApplied(tx, consumer, ids, hashes, only === undefined));
    if (only === undefined) {
      for (const w of log.watermarks) {
        if (BigInt(w.high) === 0n) continue;
        await tx.query(
          `insert into consumer_checkpoints (consumer, topic, partition, "offset") values ($1, $2, $3, $4)
          on conflict (consumer, topic, partition)
            do update set "offset" = greatest(consumer_checkpoints."offset", excluded."offset"), updated_at = now()`,
          [consumer, w.topic, w.partition, (BigInt(w.high) - 1n).toString()],
        );
      }
    }
    return {
      eventsRead: folder.read,
      eventsApplied: fold.keptIds.length,
      invalid: log.invalid,
      trials: trialIds.length,
      patients: fold.patients.size,
      changedPatients: changed,
      refused: fold.refused + refusedLooks,
      parked: fold.toPark.length,
    };
  });
}
