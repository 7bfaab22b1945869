import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every message set aside says why, the park included: an rm_parked row is an event that waits
 * for its trial's TrialRegistered. The default covers rows parked before the column existed,
 * which waited for exactly that.
 */
export class ParkedReason1764100021000 implements MigrationInterface {
  name = 'ParkedReason1764100021000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table rm_parked add column code text not null default 'trial-not-registered',
      add column reason text not null default 'waits for its trial''s TrialRegistered'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('alter table rm_parked drop column code, drop column reason');
  }
}
