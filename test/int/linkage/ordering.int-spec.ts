import { INestApplication } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { linkageModule } from '../../../apps/linkage/src/app.module';
import { PatientRandomised, RegistryRecord, TopicNames, patientRandomised, registryRecord } from '@trial/contracts';
import { LinkageApplier } from '@trial/linkage-service';
import { createDataSource, migrate } from '@trial/storage';
import { privateTopics, readAll, startInProcess, testConfig, testKafka, TEST_DATABASE_URL, uniqueId } from '../../support';
import { collect, enrolKey, person, randomised, record, recordKey, send, waitForTypes } from './fixtures';

/**
 * Outcome order and conflicting copies, on the linkage side, through the real broker and database: every
 * patient outcome carries its place on the patient's stream (`seq`), and a second, conflicting
 * PatientRandomised is dead-lettered with its reason instead of counted as a duplicate.
 */
describe('linkage: outcome seq and conflicting randomisations', () => {
  const kafka = testKafka();
  let topics: TopicNames;
  let prefix: string;
  let drop: () => Promise<void>;
  let producer: Producer;
  let app: INestApplication | null = null;
  let outcomes: Awaited<ReturnType<typeof collect>>;
  const trialId = uniqueId('ORD');
  const enrol = (vs: Record<string, unknown>[]) => send(producer, topics.enrollments, vs, enrolKey);
  const notify = (vs: Record<string, unknown>[]) => send(producer, topics.notifications, vs, recordKey);
  const eventsOf = (patientId: string) => outcomes.seen.filter((e) => e.patientId === patientId);

  beforeAll(async () => {
    ({ topics, prefix, drop } = await privateTopics(kafka, 'ordering'));
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

  it("numbers each patient's outcome events 1, 2, 3 in the order decided", async () => {
    const p = person(trialId);
    const v1 = record(p);
    await enrol([randomised(p)]);
    await notify([v1]);
    await waitForTypes(() => eventsOf(p.patientId).map((e) => e.type), ['DeathLinked'], 'v1');
    await notify([
      { ...v1, version: 2, dateOfDeath: '2009-07-02' },
      { ...v1, version: 3, kind: 'death-cancelled' },
    ]);
    await waitForTypes(() => eventsOf(p.patientId).map((e) => e.type), ['DeathLinked', 'DeathAmended', 'DeathWithdrawn'], 'v2, v3');
    expect(eventsOf(p.patientId).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('dead-letters a second, conflicting randomisation; an identical one under a new id stays a duplicate', async () => {
    const p = person(trialId);
    const first = randomised(p);
    await enrol([first, { ...first, eventId: uniqueId('resent') }, { ...first, eventId: uniqueId('conflict'), arm: 'control' }]);
    const dead = await readAll(kafka, `${topics.enrollments}.dlq`, 1);
    await new Promise((r) => setTimeout(r, 1_000)); // time for a wrong second letter (the resent copy) to show
    const again = await readAll(kafka, `${topics.enrollments}.dlq`, 1);
    expect(again).toHaveLength(1);
    const letter = dead[0].value as { code: string; reason: string; consumer: string };
    expect(letter).toMatchObject({ code: 'conflicting-randomisation', consumer: 'linkage' });
    // No identifiers in the reason.
    for (const id of [p.nhsNumber, p.familyName, p.dateOfBirth, p.postcode]) expect(letter.reason).not.toContain(id);
    // The first randomisation stands: its death links to it.
    await notify([record(p)]);
    await waitForTypes(() => eventsOf(p.patientId).map((e) => e.type), ['DeathLinked'], 'the death of the first randomisation');
  });

  it('dead-letters a registry version received again with other content; the same content on another extract date is a duplicate', async () => {
    const p = person(trialId);
    const v1 = record(p);
    await enrol([randomised(p)]);
    await notify([v1, { ...v1, extractedOn: '2012-01-05' }, { ...v1, dateOfDeath: '2009-05-01' }]);
    await waitForTypes(() => eventsOf(p.patientId).map((e) => e.type), ['DeathLinked'], 'the first content');
    const dead = await readAll(kafka, `${topics.notifications}.dlq`, 1);
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await readAll(kafka, `${topics.notifications}.dlq`, 1)).map((d) => (d.value as { code: string }).code)).toEqual(['version-reused']);
    expect(dead[0].value).toMatchObject({ code: 'version-reused', consumer: 'linkage' });
    expect(eventsOf(p.patientId)[0]).toMatchObject({ dateOfDeath: v1.dateOfDeath });
  });
});

/**
 * The dependency OutboxRelay's per-key order has: for one patient, outbox ids (the relay's
 * order) follow commit order and seq. Two linkage transactions deciding for the same patient
 * run one after the other (no scope lock, but the blocking-key locks a patient writer
 * takes exclusively and a record writer shared, the lk_records row lock, and lk_outcome_seq's
 * row lock, taken before enqueue), so the second's rows get higher ids and higher seqs. If a
 * change let the second allocate ids before the first commits, this fails.
 */
describe('linkage: outbox ids in commit order per patient', () => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = await createDataSource(TEST_DATABASE_URL, { poolSize: 4 }).initialize();
    await migrate(ds);
  });
  afterAll(async () => ds?.destroy());

  it('gives the second of two concurrent transactions for one patient later ids and seqs, after the first commits', async () => {
    const scope = uniqueId('scope-');
    const outcomesTopic = `${scope}followup.outcomes`;
    const trial = uniqueId('CMT');
    const p = person(trial);
    const first = record(p);
    const log = () => undefined;
    const parse = <T>(schema: { parse: (v: unknown) => T }, v: unknown): T => schema.parse(v);
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let firstCommitted = 0;
    const t1 = ds
      .transaction(async (tx) => {
        const a = new LinkageApplier(tx, scope, outcomesTopic, '2026-01-01T00:00:00.000Z', log);
        await a.begin();
        await a.enrollment(parse<PatientRandomised>(patientRandomised, randomised(p)));
        await a.notification(parse<RegistryRecord>(registryRecord, first));
        await a.finish();
        await held; // commit only when told
      })
      .then(() => {
        firstCommitted = Date.now();
      });
    // No relay publishes these rows (the topic does not exist): mark them sent whatever happens,
    // or every relay of the next suites would be stuck on them.
    let t2: Promise<void> = Promise.resolve();
    try {
      await new Promise((r) => setTimeout(r, 200));
      let secondDone = 0;
      t2 = ds
        .transaction(async (tx) => {
          const a = new LinkageApplier(tx, scope, outcomesTopic, '2026-01-01T00:00:01.000Z', log);
          await a.begin();
          await a.notification(parse<RegistryRecord>(registryRecord, { ...first, version: 2, dateOfDeath: '2009-07-02' }));
          await a.finish();
        })
        .then(() => {
          secondDone = Date.now();
        });
      await new Promise((r) => setTimeout(r, 500));
      expect(secondDone).toBe(0); // still waiting for the first
      release();
      await Promise.all([t1, t2]);
      expect(secondDone).toBeGreaterThanOrEqual(firstCommitted);
      const rows = (await ds.query(`select id, value from outbox where topic = $1 and key = $2 order by id`, [
        outcomesTopic,
        `${trial}:${p.patientId}`,
      ])) as Array<{ id: string; value: { type: string; seq: number } }>;
      expect(rows.map((r) => [r.value.type, r.value.seq])).toEqual([
        ['DeathLinked', 1],
        ['DeathAmended', 2],
      ]);
    } finally {
      release();
      await Promise.all([t1.catch(() => undefined), t2.catch(() => undefined)]);
      await ds.query(`update outbox set sent_at = now() where topic = $1 and sent_at is null`, [outcomesTopic]);
    }
  });
});
