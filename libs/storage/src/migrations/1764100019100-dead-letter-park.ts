import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dead letters whose original is too large to travel in a DLQ record (over 256 KiB; the
 * broker refuses a record over 1 MB and base64 adds a third). The DLQ record names the row by
 * `parkedId`. One row per origin and consumer, so a redelivered message is not parked twice.
 * It holds the message exactly as it was, like the DLQ does, and so may hold personal data:
 * it is for the operator who would otherwise read the DLQ topic.
 */
export class DeadLetterPark1764100019100 implements MigrationInterface {
  name = 'DeadLetterPark1764100019100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create table dead_letter_park (
      id bigserial primary key, consumer text not null, topic text not null, partition int not null,
      "offset" bigint not null, key text, code text not null, reason text not null, original bytea not null,
      parked_at timestamptz not null, unique (consumer, topic, partition, "offset"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table dead_letter_park');
  }
}
