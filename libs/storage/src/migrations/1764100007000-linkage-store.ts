import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The linkage service's state, replacing the walking skeleton's linkage_* tables.
 * Every table is scoped by `scope` (the topic prefix): one database can hold several
 * pipelines (tests, demos) without one's patients becoming another's candidates.
 * Identifying data lives only in lk_patients.identity and lk_record_versions/lk_records.record,
 * where linkage needs it; decisions and review items hold levels and weights, never identifiers.
 */
export class LinkageStore1764100007000 implements MigrationInterface {
  name = 'LinkageStore1764100007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('drop table if exists linkage_records');
    await q.query('drop table if exists linkage_patients');
    // Versioned Fellegi-Sunter models; the newest active one decides.
    await q.query(`create table lk_models (
      version text primary key, model jsonb not null, active boolean not null default true,
      created_at timestamptz not null default now())`);
    await q.query(`create table lk_patients (
      scope text not null, trial_id text not null, patient_id text not null, identity jsonb not null,
      randomised_on date not null, withdrawn_on date, primary key (scope, trial_id, patient_id))`);
    await q.query(`create table lk_patient_keys (
      scope text not null, key text not null, trial_id text not null, patient_id text not null,
      primary key (scope, key, trial_id, patient_id))`);
    await q.query('create index lk_patient_keys_patient on lk_patient_keys (scope, trial_id, patient_id)');
    // Every version of every record as received; lk_records is the current (highest) version.
    await q.query(`create table lk_record_versions (
      scope text not null, source text not null, record_id text not null, version int not null,
      record jsonb not null, received_at timestamptz not null default now(),
      primary key (scope, source, record_id, version))`);
    await q.query(`create table lk_records (
      scope text not null, source text not null, record_id text not null, version int not null,
      kind text not null, record jsonb not null, primary key (scope, source, record_id))`);
    await q.query(`create table lk_record_keys (
      scope text not null, key text not null, source text not null, record_id text not null,
      primary key (scope, key, source, record_id))`);
    await q.query('create index lk_record_keys_record on lk_record_keys (scope, source, record_id)');
    // One row per (record, trial): the current decision and what the outcome stream was told.
    await q.query(`create table lk_links (
      scope text not null, source text not null, record_id text not null, trial_id text not null,
      status text not null, patient_id text, version int not null, review_id text,
      emitted jsonb, seq int not null default 0, clerical jsonb,
      updated_at timestamptz not null default now(),
      primary key (scope, source, record_id, trial_id))`);
    await q.query('create index lk_links_patient on lk_links (scope, trial_id, patient_id)');
    // Append-only audit of every decision: model version, weight, per-field evidence.
    await q.query(`create table lk_decisions (
      id bigserial primary key, scope text not null, source text not null, record_id text not null,
      version int not null, trial_id text not null, decision text not null, patient_id text,
      method text, reason text, model_version text not null, weight double precision,
      fields jsonb not null, candidates jsonb not null, cause text not null,
      decided_at timestamptz not null)`);
    await q.query('create index lk_decisions_record on lk_decisions (scope, source, record_id)');
    // The clerical review queue: written by the linkage service, read by the API.
    await q.query(`create table lk_reviews (
      review_id text primary key, scope text not null, source text not null, record_id text not null,
      version int not null, trial_id text not null, reason text not null, model_version text not null,
      candidates jsonb not null, status text not null, created_at timestamptz not null,
      decided_at timestamptz, decided_by text, decision text, patient_id text, note text)`);
    await q.query('create index lk_reviews_open on lk_reviews (scope, status, created_at)');
    // Events emitted once per content (conflict flags, extract completions): dedupe by event id.
    await q.query(`create table lk_flags (
      scope text not null, event_id text not null, primary key (scope, event_id))`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'lk_flags',
      'lk_reviews',
      'lk_decisions',
      'lk_links',
      'lk_record_keys',
      'lk_records',
      'lk_record_versions',
      'lk_patient_keys',
      'lk_patients',
      'lk_models',
    ])
      await q.query(`drop table ${t}`);
  }
}
