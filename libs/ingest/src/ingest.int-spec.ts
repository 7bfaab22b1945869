import { Readable } from 'node:stream';
import { Partitioners, PartitionMetadata } from 'kafkajs';
import { TopicNames } from '@trial/contracts';
import { createProducer } from '@trial/messaging';
import { KAFKA_BROKERS, eventually, privateTopics, testKafka, uniqueId } from '../../../test/support';
import { IngestOptions, ingestExtract } from './pipeline';
import { ONS_HEADER, onsLine, validNhs } from '../../../test/support/registry-rows';

const HEADER = ONS_HEADER;

const nhs = validNhs;

/**
 * An extract of `n` rows (line = index + 2) in which every tenth row amends an earlier record
 * (same RECORD_ID, the next version), every 97th is no registration (an unknown type) and some
 * others carry an NHS number that fails Modulus 11 (a warning: published all the same), so the
 * per-key order, the dead letters and the warned rows are all exercised.
 */
function extract(n: number): { csv: string; valid: number; invalid: number; warned: number } {
  const lines = [HEADER];
  let invalid = 0;
  let warned = 0;
  for (let i = 0; i < n; i++) {
    const amends = i % 10 === 9;
    const id = amends ? `R${i - 5}` : `R${i}`;
    const bad = i % 97 === 50;
    const damaged = !bad && i % 89 === 30;
    if (bad) invalid++;
    if (damaged) warned++;
    lines.push(
      onsLine({
        RECORD_ID: id,
        RECORD_VERSION: amends ? '2' : '1',
        NOTIFICATION_TYPE: bad ? 'X' : 'D',
        DEC_CONF_NHS_NUMBER: damaged ? '1234567890' : nhs(400_000_000 + i * 13),
        DEC_FORENAMES: 'JOHN',
        POD_CODE: 'H',
      }),
    );
  }
  return { csv: `${lines.join('\n')}\n`, valid: n - invalid, invalid, warned };
}

interface Seen {
  partition: number;
  offset: number;
  key: string;
  timestamp: number;
  value: { recordId?: string; version?: number; kind: string; nhsNumber?: string | null; identifierWarnings?: unknown[] };
}

async function readTopic(topic: string, atLeast: number): Promise<Seen[]> {
  const consumer = testKafka().consumer({ groupId: uniqueId('ingest-reader'), maxWaitTimeInMs: 100 });
  const out: Seen[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      out.push({
        partition,
        offset: Number(message.offset),
        key: message.key?.toString() ?? '',
        timestamp: Number(message.timestamp),
        value: JSON.parse(message.value?.toString() ?? 'null'),
      });
    },
  });
  try {
    await eventually(async () => (out.length >= atLeast ? true : undefined), `${atLeast} messages on ${topic}`, 30_000);
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/**
 * Both ways of publishing (the caller's producer on this thread; a worker thread's own
 * producer) against the real broker: every valid row once, on the partition kafkajs's default
 * partitioner picks for its key, each partition in file order (so a record's versions stay in
 * order), the invalid rows dead-lettered, and extract-complete after every row.
 */
describe('ingestExtract through the real broker', () => {
  const kafka = testKafka();

  const check = async (
    label: string,
    target: (topics: TopicNames) => Promise<{ options: Pick<IngestOptions, 'producer' | 'thread'>; done: () => Promise<void> }>,
  ) => {
    const { topics, drop } = await privateTopics(kafka, `ingest-${label}`);
    const { options, done } = await target(topics);
    try {
      const { csv, valid, invalid, warned } = extract(6000);
      const s = await ingestExtract({
        ...options,
        input: Readable.from([csv]),
        source: 'ONS',
        extractedOn: '2011-10-02',
        completeUpTo: '2011-09-30',
        topics,
        file: 'int.csv',
        clock: () => performance.now(),
        failedAt: new Date().toISOString(),
        batchSize: 500,
      } as IngestOptions);
      expect(s).toMatchObject({ rows: 6000, published: valid, rejected: invalid, warnings: warned, extractComplete: true });
      expect(warned).toBeGreaterThan(0);
      const seen = await readTopic(topics.notifications, valid + 1);
      expect(seen).toHaveLength(valid + 1);
      const partitioner = Partitioners.DefaultPartitioner();
      const partitionMetadata = [0, 1, 2].map((p): PartitionMetadata => ({
        partitionId: p,
        leader: 1,
        partitionErrorCode: 0,
        replicas: [1],
        isr: [1],
      }));
      const rows = seen.filter((m) => m.value.kind !== 'extract-complete');
      for (const m of rows)
        expect(m.partition).toBe(partitioner({ topic: topics.notifications, partitionMetadata, message: { key: m.key, value: null } }));
      // File order within each partition: the row index in the record id (amendments carry the
      // id they amend, so they are ordered by version after the original).
      for (const p of [0, 1, 2]) {
        const inPartition = rows.filter((m) => m.partition === p).sort((a, b) => a.offset - b.offset);
        const lineOf = (m: Seen) => Number((m.value.recordId ?? '').slice(1)) + (m.value.version === 2 ? 5 : 0);
        const lines = inPartition.map(lineOf);
        expect(lines).toEqual([...lines].sort((a, b) => a - b));
      }
      // The warned rows are on the topic, the number as given and marked invalid.
      const damaged = rows.filter((m) => m.value.nhsNumber === '1234567890');
      expect(damaged).toHaveLength(warned);
      for (const m of damaged) expect(m.value.identifierWarnings).toEqual([{ field: 'nhsNumber', reason: expect.stringMatching(/Modulus 11/) }]);
      const complete = seen.filter((m) => m.value.kind === 'extract-complete');
      expect(complete).toHaveLength(1);
      expect(complete[0].offset).toBe(Math.max(...seen.filter((m) => m.partition === complete[0].partition).map((m) => m.offset)));
      expect(complete[0].timestamp).toBeGreaterThanOrEqual(Math.max(...rows.map((m) => m.timestamp)));
      const dead = await readTopic(`${topics.notifications}.dlq`, invalid);
      expect(dead).toHaveLength(invalid);
    } finally {
      await done();
      await drop();
    }
  };

  it('publishes from a worker thread with its own producer', async () => {
    await check('thread', async () => ({ options: { thread: { brokers: KAFKA_BROKERS, clientId: 'ingest-int' } }, done: async () => undefined }));
  });

  it("publishes through the caller's producer", async () => {
    await check('producer', async () => {
      const producer = createProducer(kafka);
      await producer.connect();
      return { options: { producer }, done: () => producer.disconnect() };
    });
  });
});
