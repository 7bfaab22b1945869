import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The linkage service's working state (randomised patients and registry records it has seen)
 * and the projector's first read models (trials and their patients' outcomes).
 */
export class SkeletonReadModels1764100001000 implements MigrationInterface {
  name = 'SkeletonReadModels1764100001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create table linkage_patients (
      trial_id text not null, patient_id text not null, nhs_number text, chi_number text,
      randomised_on date not null, details jsonb not null, withdrawn_on date,
      primary key (trial_id, patient_id))`);
    await q.query(`create index linkage_patients_nhs on linkage_patients (nhs_number)`);
    await q.query(`create index linkage_patients_chi on linkage_patients (chi_number)`);
    await q.query(`create table linkage_records (
      source text not null, record_id text not null, version int not null, kind text not null,
      nhs_number text, chi_number text, record jsonb not null,
      linked_trial_id text, linked_patient_id text,
      primary key (source, record_id))`);
    await q.query(`create index linkage_records_nhs on linkage_records (nhs_number)`);
    await q.query(`create index linkage_records_chi on linkage_records (chi_number)`);

    await q.query(`create table read_trials (
      trial_id text primary key, design jsonb not null, registered_at timestamptz not null default now())`);
    await q.query(`create table read_patients (
      trial_id text not null, patient_id text not null, arm text not null, site text not null,
      randomised_on date not null, died_on date, death_record text,
      primary key (trial_id, patient_id))`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['read_patients', 'read_trials', 'linkage_records', 'linkage_patients']) await q.query(`drop table ${t}`);
  }
}
