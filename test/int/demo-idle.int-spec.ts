import { Client } from 'pg';
import { Producer } from 'kafkajs';
import { TopicNames } from '@trial/contracts';
import { createDataSource, migrate } from '@trial/storage';
import { awaitIdle } from '../../apps/cli/src/demo/idle';
import { privateDatabase, privateTopics, testKafka } from '../support';

/**
 * The demo's rest before a look (apps/cli/src/demo/idle.ts), on the real broker and database:
 * not at rest while a consumer's checkpoint is behind a partition's last offset or an outcome
 * waits in the outbox; at rest once every checkpoint is at the end and the outbox is empty.
 */
describe('demo awaitIdle (real Kafka and Postgres)', () => {
  const kafka = testKafka();
  const db = privateDatabase('demo_idle');
  let topics: TopicNames;
  let drop: () => Promise<void>;
  let producer: Producer;
  let sql: Client;

  beforeAll(async () => {
    await db.drop();
    await db.create();
    const ds = await createDataSource(db.url).initialize();
    await migrate(ds);
    await ds.destroy();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    ({ topics, drop } = await privateTopics(kafka, 'demo-idle'));
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
    await sql.end();
    await drop();
    await db.drop();
  });

  const checkpoint = (consumer: string, topic: string, partition: number, offset: number) =>
    sql.query(
      `insert into consumer_checkpoints (consumer, topic, partition, "offset") values ($1, $2, $3, $4)
       on conflict (consumer, topic, partition) do update set "offset" = excluded."offset"`,
      [consumer, topic, partition, offset],
    );

  it('waits for every checkpoint to reach its partition end and for the outbox to empty', async () => {
    // Nothing published: at rest.
    expect(await awaitIdle(kafka, topics, db.url, 5_000)).toBe(true);

    const [sent] = await producer.send({
      topic: topics.notifications,
      messages: [
        { partition: 1, value: '{}' },
        { partition: 1, value: '{}' },
      ],
    });
    expect(sent.baseOffset).toBe('0');
    // Published, not applied by linkage.
    expect(await awaitIdle(kafka, topics, db.url, 3_500)).toBe(false);
    await checkpoint('linkage', topics.notifications, 1, 0);
    expect(await awaitIdle(kafka, topics, db.url, 3_500)).toBe(false);
    await checkpoint('linkage', topics.notifications, 1, 1);
    expect(await awaitIdle(kafka, topics, db.url, 5_000)).toBe(true);

    // An outcome event waiting in the outbox.
    await sql.query(`insert into outbox (topic, key, value) values ($1, 'k', '{}')`, [topics.outcomes]);
    expect(await awaitIdle(kafka, topics, db.url, 3_500)).toBe(false);
    await sql.query('update outbox set sent_at = now()');
    expect(await awaitIdle(kafka, topics, db.url, 5_000)).toBe(true);

    // An enrolment is read by both consumers: the projector's checkpoint must be there too.
    await producer.send({ topic: topics.enrollments, messages: [{ partition: 0, value: '{}' }] });
    await checkpoint('linkage', topics.enrollments, 0, 0);
    expect(await awaitIdle(kafka, topics, db.url, 3_500)).toBe(false);
    await checkpoint('projector', topics.enrollments, 0, 0);
    expect(await awaitIdle(kafka, topics, db.url, 5_000)).toBe(true);
  }, 60_000);
});
