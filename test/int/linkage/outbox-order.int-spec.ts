// Per-key order on the outcome topic with two outbox relays on one outbox, one of them paused
// in the middle of a send, against the real broker and database. With the
// old `for update skip locked` the second relay published the later row of the key while the
// first still held the earlier one, so the topic read 3, 1, 2.
import { DataSource } from 'typeorm';
import { Kafka, Producer } from 'kafkajs';
import { createDataSource, enqueue, migrate, OutboxRelay } from '@trial/storage';
import { privateTopics, readAll, TEST_DATABASE_URL, testKafka, uniqueId } from '../../support';

type Gate = { entered: Promise<void>; release: () => void };

/** A real producer whose sendBatch, the first time, blocks inside the call until released. */
function pausedOnce(producer: Producer): { producer: Producer; gate: Gate } {
  let entered!: () => void;
  let release!: () => void;
  const enteredP = new Promise<void>((r) => {
    entered = r;
  });
  const released = new Promise<void>((r) => {
    release = r;
  });
  let first = true;
  const wrapped = Object.create(producer) as Producer;
  wrapped.sendBatch = async (batch) => {
    if (first) {
      first = false;
      entered();
      await released;
    }
    return producer.sendBatch(batch);
  };
  return { producer: wrapped, gate: { entered: enteredP, release } };
}

describe('outbox relays: per-key order with two relays, one paused', () => {
  let ds: DataSource;
  let kafka: Kafka;
  let producerA: Producer;
  let producerB: Producer;
  let topics: Awaited<ReturnType<typeof privateTopics>>;
  const log = () => undefined;

  beforeAll(async () => {
    ds = await createDataSource(TEST_DATABASE_URL, { poolSize: 6 }).initialize();
    await migrate(ds);
    // Rows other suites left unsent in the test database name topics that no longer exist;
    // a relay here would try to publish them first (test database only).
    await ds.query(`update outbox set sent_at = now() where sent_at is null`);
    kafka = testKafka('outbox-order');
    topics = await privateTopics(kafka, 'outbox');
    producerA = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    producerB = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producerA.connect();
    await producerB.connect();
  });
  afterAll(async () => {
    await producerA?.disconnect();
    await producerB?.disconnect();
    await topics?.drop();
    await ds?.destroy();
  });

  it('publishes a key in id order although relay A is paused holding its first rows', async () => {
    const key = `${uniqueId('T')}:P1`;
    const topic = topics.topics.outcomes;
    const row = (n: number) => ({ topic, key, value: { n } });
    await ds.transaction((tx) => enqueue(tx, [row(1), row(2)]));

    const paused = pausedOnce(producerA);
    const relayA = new OutboxRelay(ds, paused.producer, log, 50);
    const relayB = new OutboxRelay(ds, producerB, log, 50);
    try {
      relayA.start();
      await paused.gate.entered; // A holds rows 1 and 2 and is stuck in its send

      await ds.transaction((tx) => enqueue(tx, [row(3)]));
      relayB.start();
      relayB.kick();
      // Long enough for B to have published row 3 several times over (it polls every 50 ms).
      await new Promise((r) => setTimeout(r, 1_500));
      paused.gate.release();

      const got = await readAll(kafka, topic, 3);
      const ofKey = got.filter((m) => m.key === key).map((m) => (m.value as { n: number }).n);
      expect(ofKey).toEqual([1, 2, 3]);
      const unsent = (await ds.query(`select count(*)::int as n from outbox where sent_at is null and topic = $1`, [topic])) as Array<{ n: number }>;
      expect(unsent[0].n).toBe(0);
    } finally {
      paused.gate.release();
      await relayA.stop();
      await relayB.stop();
    }
  });
});
