import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The linkage service decides with the in-memory engine of `followup link`, with no
 * lock on the whole scope, and with λ estimated from the data at hand.
 *
 * - lk_patients.change_xid: the transaction that last wrote the row (pg_current_xact_id()).
 *   Every instance keeps its in-memory patient index current by reading the rows written by
 *   transactions not finished at its previous read (change_xid >= that read's snapshot xmin),
 *   which is safe whatever order those transactions commit in (LinkStore.patientChanges).
 * - lk_decisions.prior: λ each decision was made under (the decision audit).
 * - lk_links.deterministic: the record matches one of the trial's patients by the deterministic
 *   rule; what lk_prior_counts.deterministic counts, kept so a re-decision can count the change.
 * - lk_prior_counts: the counts λ is estimated from (prior.ts PriorCounts), per writer (one
 *   partition's owner: a topic and partition, or one trial's λ refresh), so two instances never
 *   update one row; λ reads their sum. Rows of trial_id '' count records (a trial's own row
 *   counts only its deterministic matches).
 * - lk_priors: the λ in force per (trial, source). Decisions read it under a share lock; the
 *   λ refresh changes it under an exclusive one and re-decides what the change can move.
 * - lk_prior_weights: each record's best prior-free match weight per trial (weight minus the
 *   prior's log-odds), only where that could ever reach the review threshold: the records whose
 *   outcome a change of λ can change.
 * - lk_patient_keys is dropped: candidates come from the in-memory index, not from Postgres.
 */
export class LinkageEngine1764100023500 implements MigrationInterface {
  name = 'LinkageEngine1764100023500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table lk_patients add column change_xid xid8 not null default pg_current_xact_id()`);
    await q.query('create index lk_patients_change on lk_patients (scope, change_xid)');
    await q.query('alter table lk_decisions add column prior double precision');
    await q.query('alter table lk_links add column deterministic boolean not null default false');
    await q.query(`create table lk_prior_counts (
      scope text not null, source text not null, trial_id text not null, writer text not null,
      records bigint not null default 0, records_with_number bigint not null default 0, deterministic bigint not null default 0,
      primary key (scope, source, trial_id, writer))`);
    await q.query(`create table lk_priors (
      scope text not null, trial_id text not null, source text not null, prior double precision not null,
      weight double precision not null, basis text not null, counts jsonb, updated_at timestamptz not null default now(),
      primary key (scope, trial_id, source))`);
    await q.query(`create table lk_prior_weights (
      scope text not null, trial_id text not null, source text not null, record_id text not null, weight double precision not null,
      primary key (scope, trial_id, source, record_id))`);
    await q.query('create index lk_prior_weights_weight on lk_prior_weights (scope, trial_id, source, weight)');
    await q.query('drop table lk_patient_keys');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`create table lk_patient_keys (
      scope text not null, key text not null, trial_id text not null, patient_id text not null,
      primary key (scope, key, trial_id, patient_id))`);
    await q.query('create index lk_patient_keys_patient on lk_patient_keys (scope, trial_id, patient_id)');
    await q.query('drop table lk_prior_weights');
    await q.query('drop table lk_priors');
    await q.query('drop table lk_prior_counts');
    await q.query('alter table lk_links drop column deterministic');
    await q.query('alter table lk_decisions drop column prior');
    await q.query('drop index lk_patients_change');
    await q.query('alter table lk_patients drop column change_xid');
  }
}
