import { INestApplication } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { Client } from 'pg';
import { PROJECTOR_OFFSET_COMMITS, projectorModule } from '../../apps/projector/src/app.module';
import { TopicNames } from '@trial/contracts';
import { eventually, privateTopics, readAll, startInProcess, testConfig, testKafka, TEST_DATABASE_URL, uniqueId } from '../support';
import { registeredTrialV1 } from '../support/events';

/**
 * The consumer contract, through the real broker and database: a message that fails its
 * schema goes to `<topic>.dlq` with its reason while the next message is applied, and a
 * redelivered batch (offsets rewound to the beginning) changes nothing.
 */
describe('consumer delivery (projector, real Kafka and Postgres)', () => {
  const kafka = testKafka();
  let topics: TopicNames;
  let prefix: string;
  let drop: () => Promise<void>;
  let producer: Producer;
  let db: Client;
  let app: INestApplication | null = null;
  const trialId = uniqueId('DLV');

  beforeAll(async () => {
    ({ topics, prefix, drop } = await privateTopics(kafka, 'delivery'));
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await app?.close();
    await producer.disconnect();
    await db.end();
    await drop();
  });

  const patient = (patientId: string, arm: string) => ({
    v: 1,
    type: 'PatientRandomised',
    eventId: `${trialId}-${patientId}`,
    trialId,
    patientId,
    arm,
    randomisedOn: '2007-01-10',
    site: 'KCH',
    nhsNumber: '9434765919',
    chiNumber: null,
    dateOfBirth: '1941-02-03',
    sex: 'M',
    familyName: 'Smith',
    givenNames: 'John',
    postcode: 'SE1 7EH',
  });
  const count = async () => Number((await db.query('select count(*) from rm_patients where trial_id = $1', [trialId])).rows[0].count);

  it('sends an invalid message to the DLQ with its reason and applies the next one', async () => {
    app = (await startInProcess(projectorModule, testConfig(prefix), `projector-${trialId}`, { offsetCommits: PROJECTOR_OFFSET_COMMITS })).app;
    // The trial first: a patient of a trial not registered waits in the park (rm_parked), not in rm_patients.
    await producer.send({
      topic: topics.enrollments,
      messages: [
        {
          key: `${trialId}:`,
          value: JSON.stringify(registeredTrialV1(trialId, 'delivery', `${trialId}-reg`)),
        },
      ],
    });
    // Same key, so the bad message and the good one share a partition and arrive in order.
    const key = `${trialId}:P1`;
    const sent = await producer.send({
      topic: topics.enrollments,
      messages: [
        { key, value: JSON.stringify({ ...patient('P1', 'IABP'), randomisedOn: '2007-02-30' }) },
        { key, value: '{"not json' },
        { key, value: JSON.stringify(patient('P1', 'IABP')) },
      ],
    });
    console.log(`published to ${topics.enrollments} partition ${sent[0].partition} base offset ${sent[0].baseOffset}`);
    await eventually(async () => ((await count()) === 1 ? true : undefined), 'the valid patient to be projected');
    const dead = await readAll(kafka, `${topics.enrollments}.dlq`, 2);
    const reasons = dead.map((d) => d.value as { reason: string; code: string; source: { offset: string } });
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'invalid-message', reason: 'randomisedOn: is not a real calendar date' }),
        expect.objectContaining({ code: 'invalid-json' }),
      ]),
    );
    console.log(
      `DLQ ${topics.enrollments}.dlq holds ${dead.length} messages: ${reasons.map((r) => `offset ${r.source.offset}: ${r.reason}`).join(' | ')}`,
    );
  });

  it('changes nothing when the same messages are delivered again', async () => {
    await producer.send({ topic: topics.enrollments, messages: [{ key: `${trialId}:P2`, value: JSON.stringify(patient('P2', 'control')) }] });
    await eventually(async () => ((await count()) === 2 ? true : undefined), 'two patients');
    const consumer = `projector-${trialId}`;
    const group = `${prefix}${consumer}`; // the service prefixes its group id with the topic prefix
    await app!.close();
    app = null;
    // Rewind the consumer group: every message is delivered a second time.
    const admin = kafka.admin();
    await admin.connect();
    await admin.resetOffsets({ groupId: group, topic: topics.enrollments, earliest: true });
    await admin.disconnect();
    app = (await startInProcess(projectorModule, testConfig(prefix), consumer, { offsetCommits: PROJECTOR_OFFSET_COMMITS })).app;
    const admin2 = kafka.admin();
    await admin2.connect();
    // Wait until the restarted consumer has re-read everything (its committed offsets reach the end).
    await eventually(async () => {
      const [committed] = await admin2.fetchOffsets({ groupId: group, topics: [topics.enrollments] });
      const ends = await admin2.fetchTopicOffsets(topics.enrollments);
      const done = ends.every((e) => e.high === '0' || committed.partitions.find((p) => p.partition === e.partition)?.offset === e.high);
      return done ? true : undefined;
    }, 'the redelivered messages to be consumed again');
    await admin2.disconnect();
    expect(await count()).toBe(2);
  });
});
