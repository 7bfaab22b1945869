import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dead letters an operator has dealt with: one row per letter, keyed by its
 * place on its DLQ, closed either by a re-drive of its original (`redriven`; also a letter whose
 * original another consumer's letter re-drove) or by a discard (`discarded`, with who, when and
 * a note). The DLQ topics keep every letter for their retention, so the open letters (what the
 * alert counts) are those on the topic without a row here. The re-drives already made are closed.
 */
export class DlqClosed1764100028300 implements MigrationInterface {
  name = 'DlqClosed1764100028300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create table dlq_closed (
      dlq_topic text not null, dlq_partition int not null, dlq_offset bigint not null,
      source_topic text not null, source_partition int not null, source_offset bigint not null, code text not null,
      outcome text not null check (outcome in ('redriven', 'discarded')),
      closed_by text not null, closed_at timestamptz not null, note text,
      primary key (dlq_topic, dlq_partition, dlq_offset))`);
    await q.query(`insert into dlq_closed (dlq_topic, dlq_partition, dlq_offset, source_topic, source_partition, source_offset, code,
        outcome, closed_by, closed_at)
      select dlq_topic, dlq_partition, dlq_offset, source_topic, source_partition, source_offset, code, 'redriven', redriven_by, redriven_at
      from dlq_redrives`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table dlq_closed');
  }
}
