import { INestApplication } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { Client } from 'pg';
import { linkageModule } from '../../../apps/linkage/src/app.module';
import { TopicNames } from '@trial/contracts';
import { eventually, privateTopics, startInProcess, testConfig, testKafka, TEST_DATABASE_URL, uniqueId } from '../../support';
import { enrolKey, nhs, person, randomised, record, recordKey, send } from './fixtures';

/**
 * The decision audit (lk_decisions) of an unlinked record keeps its best candidates (up to 5)
 * with their scores, as a linked or reviewed one does: an auditor asking why a death was not
 * linked to a patient sees whom it was compared with and how each field weighed.
 */
describe('the audit of an unlinked decision (real Kafka and Postgres)', () => {
  const kafka = testKafka();
  let topics: TopicNames;
  let prefix: string;
  let drop: () => Promise<void>;
  let producer: Producer;
  let db: Client;
  let app: INestApplication | null = null;
  const trialId = uniqueId('UA');

  beforeAll(async () => {
    ({ topics, prefix, drop } = await privateTopics(kafka, 'unlinked-audit'));
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    app = (await startInProcess(linkageModule, testConfig(prefix), `linkage-${trialId}`)).app;
  });

  afterAll(async () => {
    await app?.close();
    await producer.disconnect();
    await db.end();
    await drop();
  });

  it('keeps the candidates it was compared with, best first', async () => {
    // Seven patients at one address sector: a stranger's death there is compared with each.
    const patients = Array.from({ length: 7 }, (_, i) => person(trialId, { postcode: `N1 7${String.fromCharCode(65 + i)}B` }));
    await send(producer, topics.enrollments, patients.map(randomised), enrolKey);
    await eventually(async () => {
      const r = await db.query('select count(*)::int as n from lk_patients where scope = $1 and patient_id = any($2::text[])', [
        prefix,
        patients.map((p) => p.patientId),
      ]);
      return (r.rows[0] as { n: number }).n === patients.length ? true : undefined;
    }, 'patients stored');
    const stranger = person(trialId, {
      nhsNumber: nhs(),
      dateOfBirth: '1925-12-24',
      sex: 'F',
      familyName: 'Zyborska',
      givenNames: 'Wanda',
      postcode: 'N1 7ZZ',
    });
    const death = record(stranger);
    await send(producer, topics.notifications, [death], recordKey);
    const row = await eventually(async () => {
      const r = await db.query(
        'select decision, patient_id as "patientId", weight, candidates from lk_decisions where scope = $1 and record_id = $2',
        [prefix, death.recordId],
      );
      return r.rows[0] as
        | {
            decision: string;
            patientId: string | null;
            weight: number | null;
            candidates: Array<{ patientId: string; weight: number; fields: Record<string, { level: string }> }>;
          }
        | undefined;
    }, 'the decision audited');
    expect(row.decision).toBe('unlinked');
    expect(row.candidates).toHaveLength(5);
    const ids = patients.map((p) => p.patientId);
    for (const c of row.candidates) {
      expect(ids).toContain(c.patientId);
      expect(c.fields.postcode.level).toBe('sector');
    }
    const weights = row.candidates.map((c) => c.weight);
    expect(weights).toEqual([...weights].sort((a, b) => b - a));
    expect(row.patientId).toBe(row.candidates[0].patientId);
    expect(row.weight).toBe(row.candidates[0].weight);
  });
});
