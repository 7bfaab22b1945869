import { INestApplication } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { projectorModule } from '../../apps/projector/src/app.module';
import { TopicNames } from '@trial/contracts';
import { listTrials } from '@trial/projection';
import { createDataSource } from '@trial/storage';
import { eventually, privateTopics, readAll, startInProcess, testConfig, testKafka, TEST_DATABASE_URL, uniqueId } from '../support';
import { registeredTrialV1 } from '../support/events';

/**
 * Outcome order and reused event ids, through the projector service, the real broker and database: an
 * outcome published out of order, and an event id reused with other content, go to
 * `followup.outcomes.dlq` with their reason (and are not applied); outcomes of a trial not
 * registered make no ghost trial until its TrialRegistered arrives.
 */
describe('projector service: refused outcomes go to the DLQ; no ghost trials', () => {
  const kafka = testKafka();
  let topics: TopicNames;
  let prefix: string;
  let drop: () => Promise<void>;
  let producer: Producer;
  let ds: DataSource;
  let app: INestApplication | null = null;
  const trialId = uniqueId('OOO');
  const now = '2026-01-01T00:00:00.000Z';

  const registered = (id: string) => registeredTrialV1(id, 'order');
  const randomised = (id: string, patientId: string) => ({
    v: 1,
    type: 'PatientRandomised',
    eventId: `${id}:${patientId}`,
    trialId: id,
    patientId,
    arm: 'IABP',
    randomisedOn: '2007-01-10',
    site: 'KCH',
    nhsNumber: '9434765919',
    chiNumber: null,
    dateOfBirth: '1941-02-03',
    sex: 'M',
    familyName: 'Smith',
    givenNames: 'John',
    postcode: null,
  });
  const outcome = (id: string, patientId: string, type: 'DeathLinked' | 'DeathWithdrawn', seq: number, extra: Record<string, unknown> = {}) => ({
    v: 1,
    type,
    eventId: `${id}:${patientId}:${type}:${seq}`,
    trialId: id,
    patientId,
    occurredAt: now,
    source: 'ONS',
    recordId: 'D1',
    version: 1,
    seq,
    ...(type === 'DeathLinked'
      ? { dateOfDeath: '2009-06-30', underlyingCause: 'I21.9', evidence: { method: 'deterministic', modelVersion: 'm', weight: null, fields: {} } }
      : { reason: 'relinked' }),
    ...extra,
  });
  const publish = (topic: string, key: string, values: unknown[]) =>
    producer.send({ topic, acks: -1, messages: values.map((v) => ({ key, value: JSON.stringify(v) })) });
  const patientRow = async (id: string, patientId: string) =>
    (
      (await ds.query(`select followup from rm_patients where trial_id = $1 and patient_id = $2`, [id, patientId])) as Array<{
        followup: { status: number } | null;
      }>
    )[0];

  beforeAll(async () => {
    ({ topics, prefix, drop } = await privateTopics(kafka, 'outorder'));
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    ds = await createDataSource(TEST_DATABASE_URL, { poolSize: 2 }).initialize();
    app = (await startInProcess(projectorModule, testConfig(prefix), `projector-${trialId}`)).app;
  });
  afterAll(async () => {
    await app?.close();
    await producer.disconnect();
    await ds?.destroy();
    await drop();
  });

  it('dead-letters a DeathLinked that arrives after its DeathWithdrawn, and an id reused with other content', async () => {
    await publish(topics.enrollments, `${trialId}:`, [registered(trialId)]);
    await publish(topics.enrollments, `${trialId}:P1`, [randomised(trialId, 'P1')]);
    const key = `${trialId}:P1`;
    await publish(topics.outcomes, key, [
      outcome(trialId, 'P1', 'DeathWithdrawn', 2),
      outcome(trialId, 'P1', 'DeathLinked', 1),
      outcome(trialId, 'P1', 'DeathWithdrawn', 2, { reason: 'cancelled' }), // same id, other content
      outcome(trialId, 'P1', 'DeathWithdrawn', 2), // same id, same content: a redelivery
    ]);
    const dead = await readAll(kafka, `${topics.outcomes}.dlq`, 2);
    expect(dead.map((d) => (d.value as { code: string }).code).sort()).toEqual(['event-id-reused', 'out-of-order']);
    await eventually(async () => ((await patientRow(trialId, 'P1'))?.followup ? true : undefined), 'P1 projected');
    expect((await patientRow(trialId, 'P1')).followup?.status).toBe(0); // the withdrawn death is not counted
  });

  it('lists no ghost trial for outcomes of a trial not registered, until it is', async () => {
    const ghost = uniqueId('GHOST');
    await publish(topics.outcomes, `${ghost}:P1`, [outcome(ghost, 'P1', 'DeathLinked', 1)]);
    await publish(topics.enrollments, `${ghost}:P1`, [randomised(ghost, 'P1')]);
    await eventually(
      async () => (Number((await ds.query(`select count(*) from rm_parked where trial_id = $1`, [ghost]))[0].count) === 2 ? true : undefined),
      'both parked',
    );
    expect((await listTrials(ds)).map((t) => t.trialId)).not.toContain(ghost);
    await publish(topics.enrollments, `${ghost}:`, [registered(ghost)]);
    await eventually(
      async () => ((await listTrials(ds)).find((t) => t.trialId === ghost && t.deaths === 1) ? true : undefined),
      'the trial with its death',
    );
    expect(Number((await ds.query(`select count(*) from rm_parked where trial_id = $1`, [ghost]))[0].count)).toBe(0);
  });
});
