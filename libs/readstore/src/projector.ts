import type { DataSource, EntityManager } from 'typeorm';
import type { TrialRegistered } from '@trial/contracts';
import type { Completeness, PatientState } from '@trial/followup';
import {
  analyse, coveringRegistry, sameJson, foldCompleteness, foldPatient, followUpOf, observationOf, patientKey, sameObservation,
  sortEvents, TrialCohort, type LogEvent, type Observation,
} from '@trial/readmodel';
import { applyWithCheckpoint } from '@trial/storage';
import {
  appendPatientHistory, loadCompleteness, notifyChanged, rows, saveAnalysis, upsertPatients, type PatientRow, type Sql, type TrialRow,
} from './rows';

/** The projector's checkpoint and dedupe name; replay sets its checkpoints. */
export const PROJECTOR = 'projector';
/** Advisory lock: the live projector takes it shared per batch, a replay exclusively. */
export const PROJECTION_LOCK = 7261302;

export interface BatchIn {
  topic: string;
  partition: number;
  lastOffset: string;
  messages: Array<{ offset: string; value: LogEvent }>;
}

export interface BatchOut {
  applied: number;
  duplicates: number;
  trialsChanged: string[];
}

interface Cached {
  version: number;
  cohort: TrialCohort;
}

interface Diff {
  before: Observation | null;
  after: Observation | null;
}

/**
 * Applies partition batches to the read models. Per trial it keeps a TrialCohort in memory
 * and applies each patient's change as remove-old/add-new, so the read-out is updated, not
 * recomputed from the patients. The cache is checked against `rm_trials.version` under the
 * trial's row lock, so a second projector instance (or a replay) that changed the trial makes
 * this one reload it rather than serve stale tables; a failed transaction drops the entries
 * it touched.
 */
export class ReadModelProjector {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly ds: DataSource, private readonly now: () => string, private readonly consumer = PROJECTOR) {}

  async apply(batch: BatchIn): Promise<BatchOut> {
    const touched = new Set<string>();
    try {
      return await applyWithCheckpoint(this.ds, this.consumer, batch.topic, batch.partition, batch.messages, batch.lastOffset,
        async (tx, fresh) => {
          await tx.query('select pg_advisory_xact_lock_shared($1)', [PROJECTION_LOCK]);
          return this.effect(tx, fresh.map((m) => m.value), touched, batch);
        });
    } catch (e) {
      for (const t of touched) this.cache.delete(t);
      throw e;
    }
  }

  /** Forgets every cached trial (after a replay in this process). */
  reset(): void {
    this.cache.clear();
  }

  private async effect(tx: EntityManager, events: LogEvent[], touched: Set<string>, batch: BatchIn): Promise<BatchOut> {
    const now = this.now();
    const fresh = await firstTimes(tx, this.consumer, events);
    const sorted = sortEvents(fresh);

    // Registries first: a new completeness date re-derives every patient the registry covers.
    const held = await loadCompleteness(tx);
    const completeness = foldCompleteness(held, sorted.extracts);
    const moved = (Object.keys(completeness) as Array<keyof Completeness>).filter((s) => completeness[s] !== held[s]);
    for (const s of moved) {
      await tx.query(`insert into rm_completeness (source, complete_up_to, recorded_at) values ($1, $2, $3)
        on conflict (source) do update set complete_up_to = excluded.complete_up_to, recorded_at = excluded.recorded_at`, [s, completeness[s], now]);
      await tx.query(`insert into rm_completeness_history (source, complete_up_to, recorded_at) values ($1, $2, $3)`, [s, completeness[s], now]);
    }

    const loaded = await loadPatients(tx, [...sorted.patients.keys()], moved);
    const changed: Array<PatientRow & { registry: string | null }> = [];
    const diffs = new Map<string, Diff[]>();
    const keys = new Set([...sorted.patients.keys(), ...loaded.keys()]);
    for (const key of keys) {
      const row = loaded.get(key) ?? null;
      const state = foldPatient(row?.state ?? null, sorted.patients.get(key) ?? []);
      const fu = followUpOf(state, completeness);
      const before = row?.followup ? observationOf(row.followup) : null;
      const after = fu ? observationOf(fu) : null;
      if (row === null || !sameJson(row.state, state) || !sameJson(row.followup, fu)) {
        changed.push({ trial_id: state.trialId!, patient_id: state.patientId!, state, followup: fu, registry: coveringRegistry(state) });
      }
      if (!sameObservation(before, after)) {
        const list = diffs.get(state.trialId!) ?? [];
        list.push({ before, after });
        diffs.set(state.trialId!, list);
      }
    }

    const trialIds = [...new Set([...diffs.keys(), ...sorted.perTrial.keys()])].sort();
    for (const t of trialIds) touched.add(t);
    const designs = new Map(sorted.trials.map((e) => [e.trialId, e] as const));
    const cohorts = new Map<string, { row: TrialRow; cached: Cached }>();
    for (const trialId of trialIds) {
      // Lock the trial, then make sure the cached cohort is the committed one (before this batch).
      await tx.query(`insert into rm_trials (trial_id) values ($1) on conflict do nothing`, [trialId]);
      const [row] = await rows<TrialRow>(tx, `select trial_id, design, version, events_applied from rm_trials where trial_id = $1 for update`, [trialId]);
      let cached = this.cache.get(trialId);
      if (cached === undefined || cached.version !== Number(row.version)) {
        cached = { version: Number(row.version), cohort: await loadCohort(tx, trialId) };
        this.cache.set(trialId, cached);
      }
      cohorts.set(trialId, { row, cached });
    }

    await upsertPatients(tx, changed, now);
    await appendPatientHistory(tx, changed.filter((c) => !sameJson(loaded.get(patientKey(c.trial_id, c.patient_id))?.state ?? null, c.state)), now);

    for (const trialId of trialIds) {
      const { row, cached } = cohorts.get(trialId)!;
      for (const d of diffs.get(trialId) ?? []) cached.cohort.apply(d.before, d.after);
      const design: TrialRegistered | null = designs.get(trialId) ?? row.design;
      const eventsApplied = Number(row.events_applied) + (sorted.perTrial.get(trialId) ?? 0);
      cached.version = Number(row.version) + 1;
      await tx.query(`update rm_trials set design = $2, version = $3, events_applied = $4, updated_at = $5 where trial_id = $1`,
        [trialId, design === null ? null : JSON.stringify(design), cached.version, eventsApplied, now]);
      await saveAnalysis(tx, analyse(cached.cohort, { trialId, design, eventsApplied, dataComplete: completeness }), cached.version, now);
      await notifyChanged(tx, { trialId, version: cached.version, eventsApplied, topic: batch.topic, partition: batch.partition, lastOffset: batch.lastOffset });
    }
    return { applied: fresh.length, duplicates: events.length - fresh.length, trialsChanged: trialIds };
  }
}

/**
 * Dedupe by event id in the same transaction (the linkage outbox may resend an event at a new
 * offset). Keeps the first occurrence within the batch too.
 */
async function firstTimes(tx: Sql, consumer: string, events: readonly LogEvent[]): Promise<LogEvent[]> {
  if (!events.length) return [];
  const inserted = await rows<{ event_id: string }>(tx,
    `insert into applied_events (consumer, event_id) select $1, unnest($2::text[]) on conflict do nothing returning event_id`,
    [consumer, events.map((e) => e.eventId)]);
  const firsts = new Set(inserted.map((r) => r.event_id));
  return events.filter((e) => firsts.delete(e.eventId));
}

/** The batch's patients, plus (when a registry moved) every patient that registry covers. */
async function loadPatients(tx: Sql, keys: string[], registries: string[]): Promise<Map<string, PatientRow>> {
  const trialIds = keys.map((k) => k.split('\u0000')[0]);
  const patientIds = keys.map((k) => k.split('\u0000')[1]);
  const list = await rows<PatientRow>(tx,
    `select trial_id, patient_id, state, followup from rm_patients
     where (trial_id, patient_id) in (select * from unnest($1::text[], $2::text[])) or registry = any($3::text[])
     order by trial_id, patient_id for update`, [trialIds, patientIds, registries]);
  return new Map(list.map((r) => [patientKey(r.trial_id, r.patient_id), r]));
}

export async function loadCohort(sql: Sql, trialId: string): Promise<TrialCohort> {
  const list = await rows<{ followup: NonNullable<PatientRow['followup']> }>(sql,
    `select followup from rm_patients where trial_id = $1 and followup is not null`, [trialId]);
  return TrialCohort.of(list.map((r) => observationOf(r.followup)));
}

export type { PatientState };
