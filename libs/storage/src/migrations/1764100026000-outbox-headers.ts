import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbox rows keep their Kafka headers: a linkage dead letter goes out through the outbox, and
 * without them it lacked the `dlq-code` and `dlq-reason` every other dead letter carries.
 * Null for a message without headers (every outcome event).
 */
export class OutboxHeaders1764100026000 implements MigrationInterface {
  name = 'OutboxHeaders1764100026000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table outbox add column headers jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table outbox drop column headers`);
  }
}
