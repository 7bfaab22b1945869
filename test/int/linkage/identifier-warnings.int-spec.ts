import { INestApplication } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { Client } from 'pg';
import { linkageModule } from '../../../apps/linkage/src/app.module';
import { TopicNames } from '@trial/contracts';
import { privateTopics, readAll, startInProcess, testConfig, testKafka, TEST_DATABASE_URL, uniqueId } from '../../support';
import { collect, enrolKey, person, randomised, record, recordKey, send, waitForTypes } from './fixtures';

/**
 * feeds.md, "Identifier checks", on the linkage side through the real broker and database: a
 * death whose NHS number fails Modulus 11 (published by ingest with `identifierWarnings`) is
 * linked on the rest of its evidence, never deterministically; the warning is kept with the
 * stored record; and the same registration delivered without it is a duplicate, not a reused
 * version (the warning is what an ingest said of the number, not the registration's content).
 */
describe('linkage: a registry number that fails its check', () => {
  const kafka = testKafka();
  let topics: TopicNames;
  let prefix: string;
  let drop: () => Promise<void>;
  let producer: Producer;
  let app: INestApplication | null = null;
  let outcomes: Awaited<ReturnType<typeof collect>>;
  const trialId = uniqueId('IDW');

  beforeAll(async () => {
    ({ topics, prefix, drop } = await privateTopics(kafka, 'idwarn'));
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    outcomes = await collect(kafka, topics.outcomes);
    app = (await startInProcess(linkageModule, testConfig(prefix), `linkage-${trialId}`)).app;
  });
  afterAll(async () => {
    await app?.close();
    await outcomes.stop();
    await producer.disconnect();
    await drop();
  });

  it('links it probabilistically, keeps the warning with the record, and takes a copy without the warning as a duplicate', async () => {
    const p = person(trialId);
    const damaged = `${p.nhsNumber.slice(0, 9)}${(Number(p.nhsNumber[9]) + 1) % 10}`;
    const warned = record(p, { nhsNumber: damaged, identifierWarnings: [{ field: 'nhsNumber', reason: 'fails the Modulus 11 check' }] });
    await send(producer, topics.enrollments, [randomised(p)], enrolKey);
    await send(producer, topics.notifications, [warned, { ...warned, identifierWarnings: undefined }], recordKey);
    const eventsOf = () => outcomes.seen.filter((e) => e.patientId === p.patientId);
    await waitForTypes(() => eventsOf().map((e) => e.type), ['DeathLinked'], 'the damaged number linked');
    expect(eventsOf()[0]).toMatchObject({ recordId: warned.recordId, evidence: { method: 'probabilistic' } });
    const db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    try {
      const { rows } = await db.query('select record from lk_record_versions where record_id = $1', [warned.recordId]);
      expect(rows).toHaveLength(1);
      expect(rows[0].record).toMatchObject({
        nhsNumber: damaged,
        identifierWarnings: [{ field: 'nhsNumber', reason: 'fails the Modulus 11 check' }],
      });
    } finally {
      await db.end();
    }
    // No dead letter: the copy without the warning was a duplicate delivery.
    await expect(readAll(kafka, `${topics.notifications}.dlq`, 1, 3_000)).rejects.toThrow();
    expect(eventsOf()).toHaveLength(1);
  });
});
