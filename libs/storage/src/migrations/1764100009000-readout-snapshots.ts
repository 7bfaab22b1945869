import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * rm_readouts holds each trial's cohort snapshot (sufficient statistics) instead of the full
 * read-out, as `json` (stored as text, not parsed into jsonb): the projector rewrites it after
 * every change and the API computes the read-out from it, which measured an order of magnitude
 * cheaper than writing the read-out as jsonb.
 */
export class ReadoutSnapshots1764100009000 implements MigrationInterface {
  name = 'ReadoutSnapshots1764100009000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`delete from rm_readouts`);
    await q.query(`alter table rm_readouts rename column analysis to snapshot`);
    await q.query(`alter table rm_readouts alter column snapshot type json using snapshot::json`);
    // Rebuilt by the projector for every trial whose snapshot is older than its version.
    await q.query(`update rm_trials set version = version + 1`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`delete from rm_readouts`);
    await q.query(`alter table rm_readouts alter column snapshot type jsonb using snapshot::jsonb`);
    await q.query(`alter table rm_readouts rename column snapshot to analysis`);
  }
}
