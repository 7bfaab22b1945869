import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger of re-driven dead letters: one row per original message sent
 * back to its topic, keyed by where that message was, so a second re-drive is refused, not
 * sent again, also when two consumers dead-lettered the same message (two letters, one
 * origin). The letter re-driven (its place on the DLQ), who did it and when, for the audit.
 */
export class DlqRedrives1764100027300 implements MigrationInterface {
  name = 'DlqRedrives1764100027300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create table dlq_redrives (
      dlq_topic text not null, dlq_partition int not null, dlq_offset bigint not null,
      source_topic text not null, source_partition int not null, source_offset bigint not null, code text not null,
      redriven_by text not null, redriven_at timestamptz not null,
      primary key (source_topic, source_partition, source_offset))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table dlq_redrives');
  }
}
