import { MigrationInterface, QueryRunner } from 'typeorm';

/** Consumer checkpoints, event dedupe and the transactional outbox, shared by every service. */
export class Foundation1764100000000 implements MigrationInterface {
  name = 'Foundation1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create table consumer_checkpoints (
      consumer text not null, topic text not null, partition int not null, "offset" bigint not null,
      updated_at timestamptz not null default now(), primary key (consumer, topic, partition))`);
    await q.query(`create table applied_events (
      consumer text not null, event_id text not null, applied_at timestamptz not null default now(),
      primary key (consumer, event_id))`);
    await q.query(`create table outbox (
      id bigserial primary key, topic text not null, key text not null, value jsonb not null,
      created_at timestamptz not null default now(), sent_at timestamptz)`);
    await q.query(`create index outbox_unsent on outbox (id) where sent_at is null`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table outbox');
    await q.query('drop table applied_events');
    await q.query('drop table consumer_checkpoints');
  }
}
