import { MigrationInterface, QueryRunner } from 'typeorm';

const APPEND_ONLY = ['rm_patient_history', 'rm_completeness_history', 'rm_readout_history', 'audit_log'];

/**
 * The projector's survival read models and the unblinded-read audit trail.
 *
 * Current state (dropped and rebuilt by `followup replay`): rm_trials, rm_patients,
 * rm_completeness, rm_readouts. History (append-only, never rebuilt, so a past DSMB look stays
 * reproducible even after a replay): rm_patient_history, rm_completeness_history,
 * rm_readout_history; and audit_log. Civil dates are stored as text `YYYY-MM-DD`: they are
 * dates without a time zone, and the pg driver would turn a `date` into a local-time Date.
 */
export class SurvivalReadModels1764100005000 implements MigrationInterface {
  name = 'SurvivalReadModels1764100005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create table rm_trials (
      trial_id text primary key, design jsonb, version bigint not null default 0,
      events_applied bigint not null default 0, updated_at timestamptz not null default now())`);
    await q.query(`create table rm_patients (
      trial_id text not null, patient_id text not null, state jsonb not null, registry text,
      followup jsonb, updated_at timestamptz not null, primary key (trial_id, patient_id))`);
    await q.query(`create index rm_patients_registry on rm_patients (registry)`);
    await q.query(`create table rm_patient_history (
      id bigserial primary key, trial_id text not null, patient_id text not null,
      recorded_at timestamptz not null, state jsonb not null)`);
    await q.query(`create index rm_patient_history_asof on rm_patient_history (trial_id, patient_id, recorded_at, id)`);
    await q.query(`create table rm_completeness (
      source text primary key, complete_up_to text not null, recorded_at timestamptz not null)`);
    await q.query(`create table rm_completeness_history (
      id bigserial primary key, source text not null, complete_up_to text not null, recorded_at timestamptz not null)`);
    await q.query(`create table rm_readouts (
      trial_id text primary key, analysis jsonb not null, version bigint not null, recorded_at timestamptz not null)`);
    await q.query(`create table rm_readout_history (
      id bigserial primary key, trial_id text not null, version bigint not null, recorded_at timestamptz not null,
      events_applied bigint not null, data_complete jsonb not null)`);
    await q.query(`create index rm_readout_history_asof on rm_readout_history (trial_id, recorded_at, id)`);
    await q.query(`create table audit_log (
      id bigserial primary key, at timestamptz not null default now(), sub text not null, role text not null,
      trial_id text, view text not null, query jsonb not null default '{}'::jsonb)`);
    await q.query(`create index audit_log_trial on audit_log (trial_id, at)`);
    await q.query(`create function forbid_change() returns trigger language plpgsql as $$
      begin raise exception '% is append-only', TG_TABLE_NAME using errcode = 'insufficient_privilege'; end $$`);
    for (const t of APPEND_ONLY) {
      await q.query(`create trigger ${t}_append_only before update or delete on ${t} for each row execute function forbid_change()`);
      await q.query(`create trigger ${t}_no_truncate before truncate on ${t} for each statement execute function forbid_change()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [...APPEND_ONLY, 'rm_readouts', 'rm_completeness', 'rm_patients', 'rm_trials']) await q.query(`drop table ${t}`);
    await q.query('drop function forbid_change()');
  }
}
