import type { DataSource } from 'typeorm';
import type { TrialRegistered } from '@trial/contracts';
import type { FollowupEvent } from '@trial/followup';
import {
  coveringRegistry, foldCompleteness, foldLog, followUpOf, isRegistryLogEvent, observationOf, sortEvents,
  ClosedCohort, closedSnapshotOf, TrialCohort, type Observation,
} from '@trial/readmodel';
import type { LogRead } from './log-reader';
import { movedSources, saveCompleteness } from './completeness';
import { lockForReplay } from './locks';
import { rebuildLooks } from './looks';
import { park } from './park';
import { appendChangedHistory, copyPatients, keepOldStates, markApplied } from './rebuild-writes';
import { PROJECTOR } from './projector';
import { appendReadoutHistory, loadCompleteness, notifyChanged, rows, saveSnapshots, type PatientRow } from './rows';

export interface RebuildOptions {
  /** Only this trial's read models (completeness is global and always rebuilt). */
  trialId?: string;
  now: () => string;
  consumer?: string;
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
 */
export async function rebuild(ds: DataSource, read: () => Promise<LogRead>, options: RebuildOptions): Promise<RebuildReport> {
  const consumer = options.consumer ?? PROJECTOR;
  const only = options.trialId;
  return ds.transaction(async (tx) => {
    await lockForReplay(tx);
    const log = await read();
    const now = options.now();
    // Dedupe and the guard over the whole log, as the live projector took it (foldLog).
    const folded = foldLog(log.events);
    const kept = folded.applied.filter(({ event: e }) => only === undefined || isRegistryLogEvent(e) || e.trialId === only);
    const unique = kept.map((k) => k.event);
    const sorted = sortEvents(unique);
    // A trial the log never registers: its patients' events wait in the park, as live (park.ts).
    const registered = new Set(sorted.trials.map((t) => t.trialId));
    const completeness = foldCompleteness({}, sorted.extracts);

    await keepOldStates(tx, only ?? null);
    const oldVersions = new Map((await rows<{ trial_id: string; version: string }>(tx,
      `select trial_id, version from rm_trials where $1::text is null or trial_id = $1`, [only ?? null])).map((r) => [r.trial_id, Number(r.version)]));
    const oldCompleteness = await loadCompleteness(tx);

    await tx.query(`delete from rm_readouts where $1::text is null or trial_id = $1`, [only ?? null]);
    await tx.query(`delete from rm_patients where $1::text is null or trial_id = $1`, [only ?? null]);
    await tx.query(`delete from rm_trials where $1::text is null or trial_id = $1`, [only ?? null]);
    await tx.query(`delete from rm_parked where $1::text is null or trial_id = $1`, [only ?? null]);

    await saveCompleteness(tx, completeness, movedSources(oldCompleteness, completeness), now);
    const held = await loadCompleteness(tx);

    const patients: Array<PatientRow & { registry: string | null }> = [];
    const byTrial = new Map<string, Observation[]>();
    const toPark: FollowupEvent[] = [];
    for (const [key, evs] of sorted.patients) {
      if (!registered.has(evs[0].trialId)) {
        toPark.push(...evs);
        continue;
      }
      const { state, guard } = folded.patients.get(key)!;
      const fu = followUpOf(state, held);
      patients.push({ trial_id: state.trialId!, patient_id: state.patientId!, state, followup: fu, guard, registry: coveringRegistry(state) });
      if (fu) {
        const list = byTrial.get(fu.trialId) ?? [];
        list.push(observationOf(fu));
        byTrial.set(fu.trialId, list);
      }
    }
    for (let i = 0; i < toPark.length; i += CHUNK) await park(tx, toPark.slice(i, i + CHUNK), now);
    await copyPatients(tx, patients, now);
    const changed = await appendChangedHistory(tx, only ?? null, now);

    const designs = new Map<string, TrialRegistered>();
    for (const t of sorted.trials) designs.set(t.trialId, t);
    const trialIds = [...new Set([...sorted.perTrial.keys(), ...byTrial.keys()])].filter((t) => registered.has(t)).sort();
    for (const trialId of trialIds) {
      const design = designs.get(trialId) ?? null;
      const eventsApplied = sorted.perTrial.get(trialId) ?? 0;
      // A new version, so every running projector reloads this trial rather than trust its cache.
      const version = (oldVersions.get(trialId) ?? 0) + 1;
      await tx.query(`insert into rm_trials (trial_id, design, version, events_applied, updated_at) values ($1, $2, $3, $4, $5)`,
        [trialId, design === null ? null : JSON.stringify(design), version, eventsApplied, now]);
      const cohort = TrialCohort.of(byTrial.get(trialId) ?? []).snapshot();
      const closed = closedSnapshotOf(design, ClosedCohort.of(design, byTrial.get(trialId) ?? []));
      await saveSnapshots(tx, [{ version, recordedAt: now, snapshot: { trialId, design, eventsApplied, dataComplete: held, cohort, closed } }]);
      await appendReadoutHistory(tx, [{ trialId, version, eventsApplied, dataComplete: held }], now);
      await notifyChanged(tx, { trialId, version, eventsApplied, topic: null, partition: null, lastOffset: null });
    }

    // The board's looks, frozen again from the log under the designs before them.
    const refusedLooks = await rebuildLooks(tx, only ?? null, sorted.trialWide.filter((e) => registered.has(e.trialId)), now);

    // The live projector must neither re-apply nor miss anything after this.
    await markApplied(tx, consumer, kept.filter(({ event: e }) => only === undefined || !isRegistryLogEvent(e)), only === undefined);
    if (only === undefined) {
      for (const w of log.watermarks) {
        if (BigInt(w.high) === 0n) continue;
        await tx.query(`insert into consumer_checkpoints (consumer, topic, partition, "offset") values ($1, $2, $3, $4)
          on conflict (consumer, topic, partition) do update set "offset" = greatest(consumer_checkpoints."offset", excluded."offset"), updated_at = now()`,
          [consumer, w.topic, w.partition, (BigInt(w.high) - 1n).toString()]);
      }
    }
    return {
      eventsRead: log.events.length, eventsApplied: unique.length, invalid: log.invalid, trials: trialIds.length,
      patients: patients.length, changedPatients: changed, refused: folded.refused + refusedLooks, parked: toPark.length,
    };
  });
}
