import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The DSMB's looks, frozen: one row per InterimLookTaken the projector applied, with
 * the design it was taken under and its closed report as computed then. Replay rewrites the rows
 * from the log (the same fold), so they are read models like the others.
 */
export class InterimLooks1764100026400 implements MigrationInterface {
  name = 'InterimLooks1764100026400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create table rm_looks (
      trial_id text not null, look int not null check (look >= 1), event jsonb not null, design jsonb not null,
      report jsonb, unavailable text, recorded_at timestamptz not null, primary key (trial_id, look))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table rm_looks');
  }
}
