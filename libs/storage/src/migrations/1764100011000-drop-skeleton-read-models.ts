import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The walking skeleton's read_trials and read_patients were superseded by the rm_* read models
 * (1764100005000); nothing reads or writes them any more.
 */
export class DropSkeletonReadModels1764100011000 implements MigrationInterface {
  name = 'DropSkeletonReadModels1764100011000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('drop table if exists read_patients');
    await q.query('drop table if exists read_trials');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`create table read_trials (
      trial_id text primary key, design jsonb not null, registered_at timestamptz not null default now())`);
    await q.query(`create table read_patients (
      trial_id text not null, patient_id text not null, arm text not null, site text not null,
      randomised_on date not null, died_on date, death_record text,
      primary key (trial_id, patient_id))`);
  }
}
