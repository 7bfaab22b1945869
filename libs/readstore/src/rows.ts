import type { EntityManager } from 'typeorm';
import type { TrialRegistered } from '@trial/contracts';
import type { Completeness, FollowUp, PatientState } from '@trial/followup';
import type { TrialAnalysis } from '@trial/readmodel';

/** Anything that runs SQL: a DataSource, or the EntityManager of a transaction. */
export interface Sql {
  query: EntityManager['query'];
}

export interface PatientRow {
  trial_id: string;
  patient_id: string;
  state: PatientState;
  followup: FollowUp | null;
}

export interface TrialRow {
  trial_id: string;
  design: TrialRegistered | null;
  version: string;
  events_applied: string;
}

export async function rows<T>(sql: Sql, text: string, params: unknown[] = []): Promise<T[]> {
  return (await sql.query(text, params)) as T[];
}

export async function loadCompleteness(sql: Sql, asOf?: string): Promise<Completeness> {
  const list = asOf === undefined
    ? await rows<{ source: 'ONS' | 'NRS'; complete_up_to: string }>(sql, `select source, complete_up_to from rm_completeness`)
    : await rows<{ source: 'ONS' | 'NRS'; complete_up_to: string }>(sql,
      `select source, max(complete_up_to) as complete_up_to from rm_completeness_history where recorded_at <= $1 group by source`, [asOf]);
  const c: Completeness = {};
  for (const r of list) c[r.source] = r.complete_up_to;
  return c;
}

/** Bulk upsert of patient rows in one statement (jsonb_to_recordset), whatever the batch size. */
export async function upsertPatients(sql: Sql, list: Array<PatientRow & { registry: string | null }>, now: string): Promise<void> {
  if (!list.length) return;
  await sql.query(
    `insert into rm_patients (trial_id, patient_id, state, registry, followup, updated_at)
     select r.trial_id, r.patient_id, r.state, r.registry, r.followup, $2::timestamptz
     from jsonb_to_recordset($1::jsonb) as r(trial_id text, patient_id text, state jsonb, registry text, followup jsonb)
     on conflict (trial_id, patient_id) do update
       set state = excluded.state, registry = excluded.registry, followup = excluded.followup, updated_at = excluded.updated_at`,
    [JSON.stringify(list), now]);
}

export async function appendPatientHistory(sql: Sql, list: readonly PatientRow[], now: string): Promise<void> {
  if (!list.length) return;
  await sql.query(
    `insert into rm_patient_history (trial_id, patient_id, recorded_at, state)
     select r.trial_id, r.patient_id, $2::timestamptz, r.state
     from jsonb_to_recordset($1::jsonb) as r(trial_id text, patient_id text, state jsonb)`,
    [JSON.stringify(list.map((p) => ({ trial_id: p.trial_id, patient_id: p.patient_id, state: p.state }))), now]);
}

export async function saveAnalysis(sql: Sql, a: TrialAnalysis, version: number, now: string): Promise<void> {
  await sql.query(
    `insert into rm_readouts (trial_id, analysis, version, recorded_at) values ($1, $2, $3, $4)
     on conflict (trial_id) do update set analysis = excluded.analysis, version = excluded.version, recorded_at = excluded.recorded_at`,
    [a.trialId, JSON.stringify(a), version, now]);
  await sql.query(
    `insert into rm_readout_history (trial_id, version, recorded_at, events_applied, data_complete) values ($1, $2, $3, $4, $5)`,
    [a.trialId, version, now, a.eventsApplied, JSON.stringify(a.dataComplete)]);
}

/** Channel of the projector's NOTIFY after each committed change (the SSE stream listens). */
export const READOUT_CHANNEL = 'readout_changed';

export interface ReadoutChanged {
  trialId: string;
  version: number;
  eventsApplied: number;
  /** The batch that caused it: lets the benchmark attribute latency to published offsets. */
  topic: string | null;
  partition: number | null;
  lastOffset: string | null;
}

export async function notifyChanged(sql: Sql, n: ReadoutChanged): Promise<void> {
  await sql.query(`select pg_notify($1, $2)`, [READOUT_CHANNEL, JSON.stringify(n)]);
}
