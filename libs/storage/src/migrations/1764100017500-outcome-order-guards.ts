import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the linkage service and the projector need to refuse, rather
 * than silently drop or apply, an event out of order, a reused event id, a conflicting
 * randomisation, and to park outcomes of a trial not registered yet.
 *
 * - lk_outcome_seq: per (scope, trial, patient), the last outcome sequence number given out.
 *   Updated in the batch transaction before the outbox rows are written, so its row lock also
 *   serialises the writers of one patient's outbox rows.
 * - lk_patients.randomisation_hash: the content of the randomisation that stands (arm, date,
 *   site, identity), so a second, conflicting one is told from a plain duplicate. Null for rows
 *   written before: those keep treating a second randomisation as a duplicate.
 * - applied_events.content_hash: the content of the event applied under an id, so an id reused
 *   with other content is told from a redelivery. Null for rows written before: unknown, so a
 *   later copy is taken as a redelivery.
 * - rm_patients.guard: the projector's per-patient bookkeeping (last outcome seq applied, the
 *   randomisation's content hash). Null for rows written before: nothing is checked until set.
 * - rm_parked: patient events of a trial whose TrialRegistered has not been applied, in arrival
 *   order, applied (and deleted) in the transaction that registers the trial. Rebuilt by replay.
 */
export class OutcomeOrderGuards1764100017500 implements MigrationInterface {
  name = 'OutcomeOrderGuards1764100017500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create table lk_outcome_seq (
      scope text not null, trial_id text not null, patient_id text not null, seq bigint not null,
      primary key (scope, trial_id, patient_id))`);
    await q.query(`alter table lk_patients add column randomisation_hash text`);
    await q.query(`alter table applied_events add column content_hash text`);
    await q.query(`alter table rm_patients add column guard jsonb`);
    await q.query(`create table rm_parked (
      id bigserial primary key, trial_id text not null, patient_id text not null, event jsonb not null,
      parked_at timestamptz not null)`);
    await q.query(`create index rm_parked_trial on rm_parked (trial_id, id)`);
    await q.query(`create index rm_parked_patient on rm_parked (trial_id, patient_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table rm_parked');
    await q.query('alter table rm_patients drop column guard');
    await q.query('alter table applied_events drop column content_hash');
    await q.query('alter table lk_patients drop column randomisation_hash');
    await q.query('drop table lk_outcome_seq');
  }
}
