import { storedDesign, type TrialRegistered } from '@trial/contracts';
import type { Completeness } from '@trial/followup';
import { keyColumns, patientKey } from '@trial/readmodel';
import { checkedRowsOf, rows, type PatientRow, type Sql } from './rows';
import { patientRowProblem } from './stored-rows';

/** The batch's patients, plus (when a registry moved) every patient that registry covers, locked. */
export async function loadPatients(tx: Sql, keys: string[], registries: string[]): Promise<Map<string, PatientRow>> {
  const [trialIds, patientIds] = keyColumns(keys);
  // Without a registry, no OR: it would turn the primary-key lookups into a scan of every patient.
  // Checked by type (patientRowProblem), not parsed: every patient a batch locks is read here (bench/stored-rows.ts).
  const list = await checkedRowsOf<PatientRow>(
    tx,
    patientRowProblem,
    { table: 'rm_patients' },
    registries.length
      ? `select trial_id, patient_id, state, followup, guard from rm_patients
       where (trial_id, patient_id) in (select * from unnest($1::text[], $2::text[])) or registry = any($3::text[])
       order by trial_id, patient_id for update`
      : `select trial_id, patient_id, state, followup, guard from rm_patients
       where (trial_id, patient_id) in (select * from unnest($1::text[], $2::text[]))
       order by trial_id, patient_id for update`,
    registries.length ? [trialIds, patientIds, registries] : [trialIds, patientIds],
  );
  return new Map(list.map((r) => [patientKey(r.trial_id, r.patient_id), r]));
}

export interface TrialVersion {
  trial_id: string;
  design: TrialRegistered | null;
  version: string;
  events_applied: string;
  updated_at: Date;
}

/**
 * Locks and versions every touched trial in one statement, sorted so batches never deadlock;
 * run last, so concurrent batches hold a trial's row lock only for this tail. With the as-of
 * bookkeeping (rm_readout_history, as appendReadoutHistory writes it) in the same statement: one
 * round trip fewer while the trial rows are locked. The stamp never goes back: a batch whose
 * clock started earlier can reach this lock after a later one (partitions run concurrently), and
 * a version stamped before its predecessor would make `?asOf=` of the newer look find the older.
 */
export async function versionTrials(
  tx: Sql,
  trials: ReadonlyArray<{ trialId: string; design: TrialRegistered | null; events: number }>,
  completeness: Completeness,
  now: string,
): Promise<TrialVersion[]> {
  if (!trials.length) return [];
  const sorted = [...trials].sort((a, b) => (a.trialId < b.trialId ? -1 : a.trialId > b.trialId ? 1 : 0));
  const versions = await rows<TrialVersion>(
    tx,
    `with v as (
       insert into rm_trials (trial_id, design, version, events_applied, updated_at)
       select r.trial_id, r.design, 1, r.n, $2::timestamptz from jsonb_to_recordset($1::jsonb) as r(trial_id text, design jsonb, n bigint)
         order by r.trial_id
       on conflict (trial_id) do update set version = rm_trials.version + 1, events_applied = rm_trials.events_applied + excluded.events_applied,
         design = coalesce(excluded.design, rm_trials.design), updated_at = greatest(excluded.updated_at, rm_trials.updated_at)
       returning trial_id, design, version, events_applied, updated_at),
     h as (
       insert into rm_readout_history (trial_id, version, recorded_at, events_applied, data_complete)
       select v.trial_id, v.version, v.updated_at, v.events_applied, $3::jsonb from v)
     select * from v`,
    [JSON.stringify(sorted.map((t) => ({ trial_id: t.trialId, design: t.design, n: t.events }))), now, JSON.stringify(completeness)],
  );
  // The design may be the one stored before this batch: upcast and checked, not cast (a few per batch).
  return versions.map((v) => ({ ...v, design: storedDesign(v.design) }));
}
