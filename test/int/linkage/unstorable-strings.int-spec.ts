// A message Postgres cannot store (a NUL or an unpaired surrogate in a name) is the message's
// fault. Since every database error is now retried rather than dead-lettered,
// it must be refused at decode, or it would hold the linkage consumer for good.
import { INestApplication } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { Client } from 'pg';
import { linkageModule } from '../../../apps/linkage/src/app.module';
import { eventually, privateTopics, readAll, startInProcess, testConfig, testKafka, TEST_DATABASE_URL, uniqueId } from '../../support';
import { person, randomised, send } from './fixtures';

describe('linkage: strings Postgres cannot store (real Kafka and Postgres)', () => {
  const kafka = testKafka();
  let app: INestApplication | null = null;
  let producer: Producer;
  let db: Client;
  let drop: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
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

  it('dead-letters a randomisation with a NUL or a lone surrogate in a name and links the next one', async () => {
    const t = await privateTopics(kafka, 'unstorable');
    drop = t.drop;
    app = (await startInProcess(linkageModule, testConfig(t.prefix), uniqueId('linkage'))).app;
    const trialId = uniqueId('NUL');
    const bad1 = person(trialId, { familyName: 'Sm\u0000ith' });
    const bad2 = person(trialId, { givenNames: 'Ada \ud800' });
    const good = person(trialId);
    // One trial, so one key: they share a partition and arrive in this order.
    await send(producer, t.topics.enrollments, [randomised(bad1), randomised(bad2), randomised(good)], () => `${trialId}:same`);
    await eventually(
      async () => {
        const rows = await db.query('select patient_id from lk_patients where scope = $1', [t.prefix]);
        return rows.rows.some((r: { patient_id: string }) => r.patient_id === good.patientId) ? rows.rows : undefined;
      },
      'the valid randomisation after the two bad ones',
      30_000,
    );
    const dead = await readAll(kafka, `${t.topics.enrollments}.dlq`, 2);
    expect(dead.map((d) => d.value as { code: string; reason: string })).toEqual([
      // The text rule names the field and the rule, never the value.
      expect.objectContaining({ code: 'invalid-message', reason: 'familyName: must not contain control characters' }),
      expect.objectContaining({ code: 'invalid-message', reason: 'givenNames: must not contain an unpaired surrogate' }),
    ]);
  });
});
