import type { DataSource, EntityManager } from 'typeorm';
import type { TrialRegistered } from '@trial/contracts';
import type { Completeness } from '@trial/followup';
import {
  coveringRegistry, foldCompleteness, foldPatient, followUpOf, observationOf, patientKey, sameJson, sameObservation,
  sortEvents, TrialCohort, type LogEvent, type Observation,
} from '@trial/readmodel';
import { applyWithCheckpoint } from '@trial/storage';
import {
  appendPatientHistory, appendReadoutHistory, loadCompleteness, notifyChanged, rows, saveSnapshots, upsertPatients,
  type PatientRow, type Sql, type TrialSnapshot,
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
  design: TrialRegistered | null;
  eventsApplied: number;
  dataComplete: Completeness;
  /** The batch that last changed it, for the NOTIFY (the benchmark attributes latency by it). */
  cause: { topic: string; partition: number; lastOffset: string } | null;
  /** When the change committed (the batch's clock): the snapshot's `recorded_at`. */
  changedAt: string;
}

interface Diff {
  before: Observation | null;
  after: Observation | null;
}

/**
 * Applies partition batches to the read models.
 *
 * In the batch's transaction (with the checkpoint and the event-id dedupe): patients' states
 * and follow-ups, their append-only history, completeness, and per trial a version and event
 * count. That is the whole truth; everything else is derived from it.
 *
 * Per trial it keeps a TrialCohort in memory and applies each patient's change as
 * remove-old/add-new once the transaction has committed (so the cache only ever holds
 * committed state). The cache is checked against `rm_trials.version` under the trial's row
 * lock, so a second projector instance or a replay that changed the trial makes this one
 * reload it. A flusher then writes each changed trial's snapshot (the cohort's sufficient
 * statistics) and NOTIFYs, coalescing however many batches committed meanwhile: writing the
 * snapshot of every touched trial in every partition batch is what measured too slow. A crash
 * between commit and flush leaves `rm_readouts.version` behind `rm_trials.version`; readers
 * then compute from the patients (queries.ts) and `repairStale` rewrites it at start.
 */
export class ReadModelProjector {
  private readonly cache = new Map<string, Cached>();
  private readonly dirty = new Set<string>();
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly now: () => string,
    private readonly onFlushError: (e: unknown) => void = () => undefined,
    private readonly consumer = PROJECTOR,
  ) {}

  async apply(batch: BatchIn): Promise<BatchOut> {
    const touched = new Set<string>();
    let commit: (() => void) | null = null;
    try {
      const out = await applyWithCheckpoint(this.ds, this.consumer, batch.topic, batch.partition, batch.messages, batch.lastOffset,
        async (tx, fresh) => {
          await tx.query('select pg_advisory_xact_lock_shared($1)', [PROJECTION_LOCK]);
          const r = await this.effect(tx, fresh.map((m) => m.value), touched, batch);
          commit = r.commit;
          return r.out;
        });
      (commit as (() => void) | null)?.();
      this.scheduleFlush();
      return out;
    } catch (e) {
      for (const t of touched) this.cache.delete(t);
      throw e;
    }
  }

  /** Resolves when every committed change has been written out (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.flushing !== null || this.dirty.size > 0) {
      this.scheduleFlush();
      await this.flushing;
    }
  }

  /** Rewrites snapshots that are behind their trial's version (after a crash before a flush). */
  async repairStale(): Promise<number> {
    const stale = await rows<{ trial_id: string }>(this.ds,
      `select t.trial_id from rm_trials t left join rm_readouts r using (trial_id) where r.version is null or r.version < t.version`);
    for (const { trial_id } of stale) {
      this.cache.delete(trial_id);
      this.dirty.add(trial_id);
    }
    await this.drain();
    return stale.length;
  }

  /** Forgets every cached trial (after a replay in this process). */
  reset(): void {
    this.cache.clear();
  }

  private scheduleFlush(): void {
    if (this.flushing !== null || this.dirty.size === 0) return;
    this.flushing = this.flush()
      .catch((e: unknown) => this.onFlushError(e))
      .finally(() => {
        this.flushing = null;
        // Changes that committed during the flush go out in the next one, straight away.
        if (this.dirty.size > 0) this.scheduleFlush();
      });
  }

  private async flush(): Promise<void> {
    const ids = [...this.dirty].sort();
    this.dirty.clear();
    try {
      await this.ds.transaction(async (tx) => {
        const list: Array<{ snapshot: TrialSnapshot; version: number; recordedAt: string }> = [];
        const causes = new Map<string, Cached['cause']>();
        for (const trialId of ids) {
          const c = this.cache.get(trialId) ?? (await this.reload(tx, trialId));
          list.push({ version: c.version, recordedAt: c.changedAt, snapshot: { trialId, design: c.design, eventsApplied: c.eventsApplied, dataComplete: c.dataComplete, cohort: c.cohort.snapshot() } });
          causes.set(trialId, c.cause);
        }
        const written = await saveSnapshots(tx, list);
        for (const trialId of written) {
          const x = list.find((l) => l.snapshot.trialId === trialId)!;
          const cause = causes.get(trialId) ?? null;
          await notifyChanged(tx, { trialId, version: x.version, eventsApplied: x.snapshot.eventsApplied, topic: cause?.topic ?? null, partition: cause?.partition ?? null, lastOffset: cause?.lastOffset ?? null });
        }
      });
    } catch (e) {
      for (const t of ids) this.dirty.add(t);
      throw e;
    }
  }

  /** A trial's committed state, from the database (cache miss, or another writer moved it). */
  private async reload(sql: Sql, trialId: string): Promise<Cached> {
    const [t] = await rows<{ design: TrialRegistered | null; version: string; events_applied: string; updated_at: Date }>(sql,
      `select design, version, events_applied, updated_at from rm_trials where trial_id = $1`, [trialId]);
    const c: Cached = {
      version: Number(t?.version ?? 0), design: t?.design ?? null, eventsApplied: Number(t?.events_applied ?? 0),
      dataComplete: await loadCompleteness(sql), cohort: await loadCohort(sql, trialId), cause: null,
      changedAt: (t?.updated_at ?? new Date()).toISOString(),
    };
    this.cache.set(trialId, c);
    return c;
  }

  private async effect(tx: EntityManager, events: LogEvent[], touched: Set<string>, batch: BatchIn): Promise<{ out: BatchOut; commit: () => void }> {
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
    for (const key of new Set([...sorted.patients.keys(), ...loaded.keys()])) {
      const row = loaded.get(key) ?? null;
      const state = foldPatient(row?.state ?? null, sorted.patients.get(key) ?? []);
      const fu = followUpOf(state, completeness);
      if (row === null || !sameJson(row.state, state) || !sameJson(row.followup, fu)) {
        changed.push({ trial_id: state.trialId!, patient_id: state.patientId!, state, followup: fu, registry: coveringRegistry(state) });
      }
      const before = row?.followup ? observationOf(row.followup) : null;
      const after = fu ? observationOf(fu) : null;
      if (!sameObservation(before, after)) {
        const list = diffs.get(state.trialId!) ?? [];
        list.push({ before, after });
        diffs.set(state.trialId!, list);
      }
    }

    // Lock and version every touched trial in one statement (sorted, so instances never deadlock).
    const designs = new Map(sorted.trials.map((e) => [e.trialId, e] as const));
    // A registry's completeness is part of every trial's read-out (dataComplete), so a move touches all.
    const everyTrial = moved.length ? (await rows<{ trial_id: string }>(tx, `select trial_id from rm_trials`)).map((r) => r.trial_id) : [];
    const trialIds = [...new Set([...diffs.keys(), ...sorted.perTrial.keys(), ...everyTrial])].sort();
    for (const t of trialIds) touched.add(t);
    const versions = trialIds.length === 0 ? [] : await rows<{ trial_id: string; design: TrialRegistered | null; version: string; events_applied: string }>(tx,
      `insert into rm_trials (trial_id, design, version, events_applied, updated_at)
       select r.trial_id, r.design, 1, r.n, $2::timestamptz from jsonb_to_recordset($1::jsonb) as r(trial_id text, design jsonb, n bigint) order by r.trial_id
       on conflict (trial_id) do update set version = rm_trials.version + 1, events_applied = rm_trials.events_applied + excluded.events_applied,
         design = coalesce(excluded.design, rm_trials.design), updated_at = excluded.updated_at
       returning trial_id, design, version, events_applied`,
      [JSON.stringify(trialIds.map((t) => ({ trial_id: t, design: designs.get(t) ?? null, n: sorted.perTrial.get(t) ?? 0 }))), now]);
    // Before this batch's patient rows are written, so a reload sees exactly the committed state.
    const stale = versions.filter((v) => this.cache.get(v.trial_id)?.version !== Number(v.version) - 1);
    const reloaded = new Map<string, TrialCohort>();
    for (const v of stale) reloaded.set(v.trial_id, await loadCohort(tx, v.trial_id));

    await upsertPatients(tx, changed, now);
    await appendPatientHistory(tx, changed.filter((c) => !sameJson(loaded.get(patientKey(c.trial_id, c.patient_id))?.state ?? null, c.state)), now);
    await appendReadoutHistory(tx, versions.map((v) => ({ trialId: v.trial_id, version: Number(v.version), eventsApplied: Number(v.events_applied), dataComplete: completeness })), now);

    const commit = () => {
      for (const v of versions) {
        const cohort = reloaded.get(v.trial_id) ?? this.cache.get(v.trial_id)!.cohort;
        for (const d of diffs.get(v.trial_id) ?? []) cohort.apply(d.before, d.after);
        this.cache.set(v.trial_id, {
          version: Number(v.version), cohort, design: v.design, eventsApplied: Number(v.events_applied), dataComplete: completeness,
          cause: { topic: batch.topic, partition: batch.partition, lastOffset: batch.lastOffset }, changedAt: now,
        });
        this.dirty.add(v.trial_id);
      }
    };
    return { out: { applied: fresh.length, duplicates: events.length - fresh.length, trialsChanged: trialIds }, commit };
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
