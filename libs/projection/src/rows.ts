import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { checkedRows, civilDate, registrySource, storedRows, type StoredAt, type TrialRegistered } from '@trial/contracts';
import type { Completeness, FollowUp, PatientState } from '@trial/followup';
import type { ClosedSnapshot, CohortSnapshot, PatientGuard } from '@trial/readmodel';

/** Anything that runs SQL: a DataSource, or the EntityManager of a transaction. */
export interface Sql {
  query: EntityManager['query'];
}

export interface PatientRow {
  trial_id: string;
  patient_id: string;
  state: PatientState;
  followup: FollowUp | null;
  /** What the projector checks the next events against (null: written before the guard). */
  guard: PatientGuard | null;
}

export interface TrialRow {
  trial_id: string;
  design: TrialRegistered | null;
  version: string;
  events_applied: string;
}

/** Rows as the driver gives them: for counts, ids and flags only; JSON and the rows it sits in go through parsedRows or checkedRowsOf. */
export async function rows<T>(sql: Sql, text: string, params: unknown[] = []): Promise<T[]> {
  return (await sql.query(text, params)) as T[];
}

/**
 * Rows checked by `schema` on their way out of Postgres, not cast: a row this code cannot use
 * is a StoredRowError naming the table, the column and the rule, never a wrong figure.
 */
export async function parsedRows<T>(sql: Sql, schema: z.ZodType<T>, at: StoredAt, text: string, params: unknown[] = []): Promise<T[]> {
  return storedRows(schema, await sql.query(text, params), at);
}

/** Rows checked by type only (checkedRows), for the per-batch reads where a zod parse costs too much. */
export async function checkedRowsOf<T>(
  sql: Sql,
  problem: (row: Record<string, unknown>) => string | null,
  at: StoredAt,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  return checkedRows<T>(await sql.query(text, params), problem, at);
}

/** A registry's completeness as stored (rm_completeness, and the json the dedupe round trip builds of it). */
export const storedCompleteness: z.ZodType<Completeness> = z.partialRecord(registrySource, civilDate);
const completenessRow = z.object({ source: registrySource, complete_up_to: civilDate });

export async function loadCompleteness(sql: Sql, asOf?: string): Promise<Completeness> {
  const list =
    asOf === undefined
      ? await parsedRows(sql, completenessRow, { table: 'rm_completeness' }, `select source, complete_up_to from rm_completeness`)
      : await parsedRows(
          sql,
          completenessRow,
          { table: 'rm_completeness_history' },
          `select source, max(complete_up_to) as complete_up_to from rm_completeness_history where recorded_at <= $1 group by source`,
          [asOf],
        );
  const c: Completeness = {};
  for (const r of list) c[r.source] = r.complete_up_to;
  return c;
}

/**
 * Bulk upsert of patient rows in one statement (json_to_recordset: the columns are json, so each
 * value is stored as the text JSON.stringify gave it, with no jsonb parse), whatever the batch size;
 * with `history`, the rows it selects are appended to rm_patient_history (as
 * appendPatientHistory does) in the same statement.
 */
export async function upsertPatients(
  sql: Sql,
  list: Array<PatientRow & { registry: string | null }>,
  now: string,
  history?: (p: PatientRow) => boolean,
): Promise<void> {
  if (!list.length) return;
  if (!history) {
    await sql.query(
      `insert into rm_patients (trial_id, patient_id, state, registry, followup, guard, updated_at)
       select r.trial_id, r.patient_id, r.state, r.registry, r.followup, r.guard, $2::timestamptz
       from json_to_recordset($1::json) as r(trial_id text, patient_id text, state json, registry text, followup json, guard json)
       on conflict (trial_id, patient_id) do update
         set state = excluded.state, registry = excluded.registry, followup = excluded.followup, guard = excluded.guard,
           updated_at = excluded.updated_at`,
      [JSON.stringify(list), now],
    );
    return;
  }
  await sql.query(
    `with r as (select * from json_to_recordset($1::json)
       as r(trial_id text, patient_id text, state json, registry text, followup json, guard json, hist boolean)),
     u as (
       insert into rm_patients (trial_id, patient_id, state, registry, followup, guard, updated_at)
       select r.trial_id, r.patient_id, r.state, r.registry, r.followup, r.guard, $2::timestamptz from r
       on conflict (trial_id, patient_id) do update
         set state = excluded.state, registry = excluded.registry, followup = excluded.followup, guard = excluded.guard,
           updated_at = excluded.updated_at)
     insert into rm_patient_history (trial_id, patient_id, recorded_at, state)
     select r.trial_id, r.patient_id, $2::timestamptz, r.state from r where r.hist`,
    [JSON.stringify(list.map((p) => ({ ...p, hist: history(p) }))), now],
  );
}

export async function appendPatientHistory(
  sql: Sql,
  list: ReadonlyArray<Pick<PatientRow, 'trial_id' | 'patient_id' | 'state'>>,
  now: string,
): Promise<void> {
  if (!list.length) return;
  await sql.query(
    `insert into rm_patient_history (trial_id, patient_id, recorded_at, state)
     select r.trial_id, r.patient_id, $2::timestamptz, r.state
     from json_to_recordset($1::json) as r(trial_id text, patient_id text, state json)`,
    [JSON.stringify(list.map((p) => ({ trial_id: p.trial_id, patient_id: p.patient_id, state: p.state }))), now],
  );
}

/** What rm_readouts holds per trial: the cohort's sufficient statistics and its context. */
export interface TrialSnapshot {
  trialId: string;
  design: TrialRegistered | null;
  eventsApplied: number;
  dataComplete: Completeness;
  cohort: CohortSnapshot;
  /** The closed figures' cells (ClosedCohort), for a trial with an analysis plan; absent in snapshots written before them. */
  closed?: ClosedSnapshot;
}

/**
 * Writes snapshots in one statement, each stamped with the time its last change committed (so
 * `asOf` of the read-out and of its history agree). `version` only moves forward: a slower writer holding an
 * older cohort (another projector instance, a flush that lost a race) never overwrites a newer one.
 */
export async function saveSnapshots(
  sql: Sql,
  list: ReadonlyArray<{ snapshot: TrialSnapshot; version: number; recordedAt: string }>,
): Promise<string[]> {
  if (!list.length) return [];
  const written = await rows<{ trial_id: string }>(sql, SAVE_SNAPSHOTS, [snapshotsJson(list)]);
  return written.map((w) => w.trial_id);
}

/** saveSnapshots' statement ($1: snapshotsJson), returning the trials written; the flusher wraps it with its NOTIFY. */
export const SAVE_SNAPSHOTS = `insert into rm_readouts (trial_id, snapshot, version, recorded_at)
     select r.trial_id, r.snapshot, r.version, r.recorded_at
     from json_to_recordset($1::json) as r(trial_id text, snapshot json, version bigint, recorded_at timestamptz)
     order by r.trial_id
     on conflict (trial_id) do update set snapshot = excluded.snapshot, version = excluded.version, recorded_at = excluded.recorded_at
       where rm_readouts.version < excluded.version
     returning trial_id`;

export function snapshotsJson(list: ReadonlyArray<{ snapshot: TrialSnapshot; version: number; recordedAt: string }>): string {
  return JSON.stringify(list.map((x) => ({ trial_id: x.snapshot.trialId, snapshot: x.snapshot, version: x.version, recorded_at: x.recordedAt })));
}

/** As-of bookkeeping: per trial and change, the version, event count and completeness. */
export async function appendReadoutHistory(
  sql: Sql,
  list: ReadonlyArray<{ trialId: string; version: number; eventsApplied: number; dataComplete: Completeness }>,
  now: string,
): Promise<void> {
  if (!list.length) return;
  await sql.query(
    `insert into rm_readout_history (trial_id, version, recorded_at, events_applied, data_complete)
     select r.trial_id, r.version, $2::timestamptz, r.events_applied, r.data_complete
     from jsonb_to_recordset($1::jsonb) as r(trial_id text, version bigint, events_applied bigint, data_complete jsonb)`,
    [
      JSON.stringify(
        list.map((x) => ({
          trial_id: x.trialId,
          version: x.version,
          events_applied: x.eventsApplied,
          data_complete: x.dataComplete,
        })),
      ),
      now,
    ],
  );
}

export * from './readout-channel';
