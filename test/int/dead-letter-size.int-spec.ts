// Dead letters through the outbox (the linkage service's path) must never make a produce
// request the broker refuses: the limit (max.message.bytes, 1 MB) applies to a partition's
// whole record batch, the DLQ has one partition, and one dead letter can be ~350 KB.
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Producer } from 'kafkajs';
import { deadLetterMessage, DLQ_ORIGINAL_CAP } from '@trial/messaging';
import { createDataSource, enqueue, migrate, OutboxRelay } from '@trial/storage';
import { privateTopics, readAll, TEST_DATABASE_URL, testKafka } from '../support';

describe('outbox relay and large dead letters (real Kafka and Postgres)', () => {
  const kafka = testKafka('dlq-size');
  let ds: DataSource;
  let producer: Producer;
  let relay: OutboxRelay | null = null;
  let drop: () => Promise<void> = async () => undefined;
  let prefix = '';

  beforeAll(async () => {
    ds = await createDataSource(TEST_DATABASE_URL, { poolSize: 4 }).initialize();
    await migrate(ds);
    // Rows other suites left unsent name topics that no longer exist (test database only).
    await ds.query('update outbox set sent_at = now() where sent_at is null');
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
  });

  afterAll(async () => {
    await relay?.stop();
    // Rows left unsent (when this fails) would block every later suite's relay on this database.
    if (prefix) await ds.query(`update outbox set sent_at = now() where sent_at is null and topic like $1`, [`${prefix}%`]);
    await producer.disconnect();
    await drop();
    await ds.destroy();
  });

  it('publishes four dead letters at the original cap, each byte-exact', async () => {
    const t = await privateTopics(kafka, 'dlqsize');
    drop = t.drop;
    prefix = t.prefix;
    const originals = [0, 1, 2, 3].map(() => randomBytes(DLQ_ORIGINAL_CAP));
    const at = new Date().toISOString();
    const messages = originals.map((original, i) =>
      deadLetterMessage(
        {
          consumer: 'linkage',
          topic: t.topics.reviews,
          partition: 0,
          offset: String(i),
          key: 'k',
          code: 'unknown-review',
          reason: 'no such review',
          original,
        },
        at,
        null,
      ),
    );
    await ds.transaction((tx) =>
      enqueue(
        tx,
        messages.map((m) => ({ topic: m.topic, key: m.key, value: m.value })),
      ),
    );
    relay = new OutboxRelay(ds, producer, () => undefined);
    relay.start();
    const dead = await readAll(kafka, `${t.topics.reviews}.dlq`, 4, 20_000);
    const back = dead.map((d) => Buffer.from((d.value as { originalBase64: string }).originalBase64, 'base64'));
    expect(back.map((b, i) => b.equals(originals[i]))).toEqual([true, true, true, true]);
  });

  it('stores a dead letter whose key and reason hold NUL in the outbox (jsonb refuses U+0000)', async () => {
    const t = await privateTopics(kafka, 'dlqnul');
    const message = deadLetterMessage(
      {
        consumer: 'linkage',
        topic: t.topics.reviews,
        partition: 0,
        offset: '0',
        key: 'rv\u0000x',
        code: 'unknown-review',
        reason: 'no review rv\u0000x in this scope',
        original: Buffer.from('{"reviewId":"rv\\u0000x"}'),
      },
      new Date().toISOString(),
      null,
    );
    try {
      await ds.transaction((tx) => enqueue(tx, [{ topic: message.topic, key: message.key, value: message.value }]));
    } finally {
      await t.drop();
      await ds.query(`update outbox set sent_at = now() where sent_at is null and topic like $1`, [`${t.prefix}%`]);
    }
  });
});
