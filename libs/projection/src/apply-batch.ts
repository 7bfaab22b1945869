import type { Completeness, FollowupEvent } from '@trial/followup';
import { PermanentError } from '@trial/messaging';
import {
  coveringRegistry,
  emptyGuard,
  foldCompleteness,
  foldGuarded,
  followUpOf,
  observationOf,
  ofPatientKey,
  sameJson,
  sameObservation,
  sortEvents,
  type Guarded,
  type GuardedFold,
  type LogEvent,
} from '@trial/readmodel';
import { loadPatients, versionTrials, type TrialVersion } from './batch-writes';
import { movedSources, saveCompleteness } from './completeness';
import { firstTimes } from './dedupe';
import { applyLooks } from './looks';
import { park, parkedOf, unpark } from './park';
import type { Profiler } from './profiler';
import { rows, upsertPatients, type PatientRow, type Sql } from './rows';
import type { CohortDiff } from './trial-cache';

/** What one batch did, as the consumer logs it. */
export interface BatchOut {
  applied: number;
  duplicates: number;
  /** The batch's first messages at or below its checkpoint: already applied, skipped (a redelivery). */
  behindCheckpoint: number;
  /** Events put in the park (their trial is not registered yet); included in `applied`. */
  parked: number;
  trialsChanged: string[];
}

/**
 * A batch's effect, before its commit: the events it applied and parked (outOf reports them per
 * partition batch), and per trial the version and cohort diffs it wrote.
 */
export interface BatchEffect {
  applied: ReadonlySet<LogEvent>;
  parked: ReadonlySet<LogEvent>;
  trialIds: string[];
  versions: TrialVersion[];
  diffs: Map<string, CohortDiff[]>;
  completeness: Completeness;
}

/**
 * One batch's effect inside its transaction (the caller holds the batch's locks and records the
 * checkpoint): the event-id dedupe, completeness, the park, patients' states and follow-ups with
 * their history, and per trial a version and event count. Each patient's events go through the
 * guard of @trial/readmodel; a refusal throws a PermanentError, so the consumer re-runs the
 * batch a message at a time and dead-letters that message alone with its code.
 */
export async function applyBatch(tx: Sql, events: LogEvent[], ctx: { consumer: string; now: string; profiler: Profiler }): Promise<BatchEffect> {
  const { now, profiler } = ctx;
  // Dedupe and the held completeness in one round trip (after the locks, so it is current).
  const { fresh, held, registered: before } = await profiler.time('dedupe', () => firstTimes(tx, ctx.consumer, events));
  const sorted = sortEvents(fresh);

  // Registries first: a new completeness date re-derives every patient the registry covers.
  const completeness = foldCompleteness(held, sorted.extracts);
  const moved = movedSources(held, completeness);
  await saveCompleteness(tx, completeness, moved, now);

  // Trials not registered yet: their patients' events wait in the park (park.ts). A trial
  // registered in this batch takes its parked events out and applies them first, in order.
  const registeredNow = [...new Set(sorted.trials.map((t) => t.trialId))];
  const registered = new Set([...before, ...registeredNow]);
  const drained = await unpark(
    tx,
    registeredNow.filter((t) => !before.has(t)),
  );
  const waiting = [...sorted.patients.keys()].filter((k) => !registered.has(ofPatientKey(k)[0]));
  const heldParked = await parkedOf(tx, waiting);

  const loaded = await profiler.time('loadPatients', () => loadPatients(tx, [...new Set([...sorted.patients.keys(), ...drained.keys()])], moved));
  const toPark: FollowupEvent[] = [];
  for (const key of waiting) {
    const held = foldGuarded(guardedOf(loaded.get(key)), heldParked.get(key) ?? []);
    const next = foldGuarded(held, sorted.patients.get(key) ?? []);
    refuse(next);
    toPark.push(...next.admitted);
  }
  await park(tx, toPark, now);

  const perTrial = new Map<string, number>();
  const count = (trialId: string, n: number) => {
    if (n) perTrial.set(trialId, (perTrial.get(trialId) ?? 0) + n);
  };
  for (const t of sorted.trialWide) count(t.trialId, 1); // TrialRegistered and InterimLookTaken
  const parkedNow = new Set(waiting);
  const changed: Array<PatientRow & { registry: string | null }> = [];
  const toHistory = new Set<PatientRow>();
  const diffs = new Map<string, CohortDiff[]>();
  for (const key of new Set([...sorted.patients.keys(), ...drained.keys(), ...loaded.keys()])) {
    const row = loaded.get(key) ?? null;
    const events = parkedNow.has(key) ? [] : (sorted.patients.get(key) ?? []);
    if (row === null && events.length === 0 && !drained.has(key)) continue; // parked, nothing applied yet
    // Parked events were checked against this same history when parked: none is refused here.
    const unparked = foldGuarded(guardedOf(row ?? undefined), drained.get(key) ?? []);
    const next = foldGuarded(unparked, events);
    refuse(next);
    const { state, guard } = next;
    count(state.trialId!, unparked.admitted.length + next.admitted.length);
    const fu = followUpOf(state, completeness);
    // Compared once: a changed state is also what puts a row in the history.
    const stateChanged = row === null || !sameJson(row.state, state);
    if (stateChanged || !sameJson(row.followup, fu) || !sameJson(row.guard, guard)) {
      const c = { trial_id: state.trialId!, patient_id: state.patientId!, state, followup: fu, guard, registry: coveringRegistry(state) };
      changed.push(c);
      if (stateChanged) toHistory.add(c);
    }
    const before = row?.followup ? observationOf(row.followup) : null;
    const after = fu ? observationOf(fu) : null;
    if (!sameObservation(before, after)) {
      const list = diffs.get(state.trialId!) ?? [];
      list.push({ before, after });
      diffs.set(state.trialId!, list);
    }
  }

  await profiler.time('upsertPatients', () => upsertPatients(tx, changed, now, (c) => toHistory.has(c)));

  // The board's looks, each frozen under the design before it in the log (looks.ts).
  await applyLooks(tx, sorted.trialWide, now);

  const designs = new Map(sorted.trials.map((e) => [e.trialId, e] as const));
  // A registry's completeness is part of every trial's read-out (dataComplete), so a move touches all.
  const everyTrial = moved.length ? (await rows<{ trial_id: string }>(tx, `select trial_id from rm_trials`)).map((r) => r.trial_id) : [];
  const trialIds = [...new Set([...diffs.keys(), ...perTrial.keys(), ...everyTrial])].sort();
  const versions = await profiler.time('trialsUpsert', () =>
    versionTrials(
      tx,
      trialIds.map((t) => ({ trialId: t, design: designs.get(t) ?? null, events: perTrial.get(t) ?? 0 })),
      completeness,
      now,
    ),
  );
  return { applied: new Set(fresh), parked: new Set<LogEvent>(toPark), trialIds, versions, diffs, completeness };
}

/**
 * What one partition batch of a group (`events`: its messages past its checkpoint) did; the
 * trials changed are the group's (one version per trial for the whole group).
 */
export function outOf(events: readonly LogEvent[], e: BatchEffect, behindCheckpoint: number): BatchOut {
  const applied = events.filter((x) => e.applied.has(x)).length;
  return {
    applied,
    duplicates: events.length - applied,
    behindCheckpoint,
    parked: events.filter((x) => e.parked.has(x)).length,
    trialsChanged: e.trialIds,
  };
}

/** A loaded row as the guard's input (a row from before the guard starts with an empty one). */
function guardedOf(row: PatientRow | undefined): Guarded | null {
  return row === undefined ? null : { state: row.state, guard: row.guard ?? emptyGuard };
}

/** Throws the first refusal of a patient's events: the consumer dead-letters that message alone. */
function refuse(f: GuardedFold): void {
  const [r] = f.refused;
  if (r !== undefined) throw new PermanentError(r.refusal.code, r.refusal.reason);
}
