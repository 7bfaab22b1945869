import { INestApplication } from '@nestjs/common';
import { Kafka, Producer } from 'kafkajs';
import { Client } from 'pg';
import { apiModule } from '../../apps/api/src/app.module';
import { linkageModule } from '../../apps/linkage/src/app.module';
import { projectorModule } from '../../apps/projector/src/app.module';
import { smallTrialEnrollments } from '../../apps/cli/src/demo/small-trial';
import { ConsentWithdrawn, dlqOf, enrollmentKey, EnrollmentEvent, TopicNames } from '@trial/contracts';
import { createProducer, filterLetters, readDeadLetters, StoredDeadLetter } from '@trial/messaging';
import { openMigrated, redrive } from '@trial/storage';
import { DataSource } from 'typeorm';
import { signToken } from '@trial/auth';
import { register as dlqCommands } from '../../apps/cli/src/commands/dlq';
import { eventually, KAFKA_BROKERS, privateDatabase, privateTopics, startInProcess, testConfig, testKafka, uniqueId } from '../support';
import { runCli } from '../support/cli';

/**
 * A dead letter re-driven once its cause is fixed is applied, and exactly once: re-driving it
 * again sends nothing (the ledger), and a copy that reaches the topic a second time anyway (a
 * crash between the send and the ledger's commit, shown by removing the claim) changes
 * nothing in either consumer. The cause: a withdrawal of consent published before the
 * patient's randomisation, which the linkage service refuses (`unknown-patient`).
 */
describe('re-driving a dead letter (real Kafka and Postgres)', () => {
  const kafka: Kafka = testKafka();
  const db = privateDatabase('redrive');
  const trialId = uniqueId('DLQ');
  const apps: INestApplication[] = [];
  let topics: TopicNames;
  let drop: () => Promise<void>;
  let producer: Producer;
  let ds: DataSource;
  let sql: Client;
  let cliEnv: Record<string, string>;
  let api: string;
  const SECRET = 'test-secret-test-secret-test-secret-0123';
  const token = (role: 'operator' | 'dsmb') => signToken(SECRET, { sub: `${role}-1`, role, ttlSeconds: 600 });
  const call = (path: string, role: 'operator' | 'dsmb', body?: unknown) =>
    fetch(`${api}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { authorization: `Bearer ${token(role)}`, 'content-type': 'application/json' },
    });
  const cli = async (...args: string[]) => {
    const run = await runCli([dlqCommands], ['dlq', ...args], cliEnv);
    if (run.code !== 0 || run.err) throw new Error(`followup dlq ${args.join(' ')}: ${run.code} ${run.err}`);
    return run.out;
  };

  const [registered, p1, p2] = smallTrialEnrollments(trialId) as EnrollmentEvent[];
  const withdrawal: ConsentWithdrawn = {
    v: 1,
    type: 'ConsentWithdrawn',
    eventId: '6f1d3c52-94a1-4c55-8a7e-2f0b8f4c9d01',
    trialId,
    patientId: (p2 as { patientId: string }).patientId,
    effectiveOn: '2008-06-30',
  };
  const publish = (events: EnrollmentEvent[]) =>
    producer.send({
      topic: topics.enrollments,
      acks: -1,
      messages: events.map((e) => ({ key: enrollmentKey(e), value: JSON.stringify(e) })),
    });
  const one = async <T>(q: string, params: unknown[]): Promise<T> => ((await sql.query(q, params)).rows[0] ?? null) as T;
  const withdrawnOn = () =>
    one<{ w: string | null } | null>(`select withdrawn_on::text as w from lk_patients where trial_id = $1 and patient_id = $2`, [
      trialId,
      withdrawal.patientId,
    ]);
  const applied = () => one<{ n: string }>(`select events_applied::text as n from rm_trials where trial_id = $1`, [trialId]);
  /** Both consumers' checkpoints at the end of the enrolments partition that carries the trial's patient. */
  const caughtUp = async () => {
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topics.enrollments);
    await admin.disconnect();
    const rows = (await sql.query(`select consumer, partition, "offset"::text as o from consumer_checkpoints where topic = $1`, [topics.enrollments]))
      .rows as Array<{ consumer: string; partition: number; o: string }>;
    return ['linkage', 'projector'].every((c) =>
      ends.every(
        (e) => Number(e.high) === 0 || rows.some((r) => r.consumer === c && r.partition === e.partition && Number(r.o) >= Number(e.high) - 1),
      ),
    )
      ? true
      : undefined;
  };
  const letters = async (): Promise<StoredDeadLetter[]> => filterLetters(await readDeadLetters(kafka, [dlqOf(topics.enrollments)]), {});

  beforeAll(async () => {
    await db.create();
    let prefix: string;
    ({ topics, prefix, drop } = await privateTopics(kafka, 'redrive'));
    const config = testConfig(prefix, { DATABASE_URL: db.url });
    cliEnv = { NODE_ENV: 'test', KAFKA_BROKERS, DATABASE_URL: db.url, TOPIC_PREFIX: prefix, LOG_LEVEL: 'warn' };
    apps.push((await startInProcess(linkageModule, config, 'linkage')).app);
    apps.push((await startInProcess(projectorModule, config, 'projector')).app);
    const started = await startInProcess(apiModule, config);
    apps.push(started.app);
    api = started.url;
    producer = createProducer(kafka);
    await producer.connect();
    ds = await openMigrated(db.url, undefined, { applicationName: 'redrive-test' });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });

  afterAll(async () => {
    for (const a of apps) await a.close();
    await producer?.disconnect();
    await sql?.end();
    await ds?.destroy();
    await drop?.();
    await db.drop();
  });

  it('applies a re-driven letter once, however often it is re-driven', async () => {
    await publish([registered, p1, withdrawal]);
    const refused = await eventually(
      async () => {
        const ls = (await letters()).filter((l) => l.record.code === 'unknown-patient');
        return ls.length ? ls : undefined;
      },
      'the withdrawal dead-lettered',
      30_000,
    );
    expect(refused.map((l) => [l.record.consumer, l.record.source.topic])).toEqual([['linkage', topics.enrollments]]);
    await eventually(caughtUp, 'both consumers past the withdrawal');
    expect(await withdrawnOn()).toBeNull();
    // Listed by topic and code, and shown with its reason and origin; its content only when asked.
    const listed = (await cli('list', '--topic', topics.enrollments, '--code', 'unknown-patient'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(listed).toEqual([expect.objectContaining({ id: refused[0].id, code: 'unknown-patient', consumer: 'linkage', redriven: null })]);
    expect(await cli('list', '--code', 'schema-invalid')).toBe('');
    const shown = JSON.parse(await cli('show', refused[0].id)) as Record<string, unknown>;
    expect(shown).toMatchObject({
      reason: expect.stringContaining('not randomised'),
      origin: { topic: topics.enrollments, key: `${trialId}:DS-002` },
    });
    expect(shown.original).toBeUndefined();
    expect(JSON.parse(JSON.parse(await cli('show', refused[0].id, '--original')).original as string)).toEqual(withdrawal);

    // The cause fixed: the randomisation arrives. Then the letter is re-driven.
    await publish([p2]);
    await eventually(async () => ((await withdrawnOn()) ? true : undefined), 'p2 in the linkage store');
    const first = await redrive(ds, producer, refused, 'ops-on-call', new Date().toISOString());
    expect(first).toEqual({ redriven: [refused[0].id], already: [], unreadable: [], discarded: [] });
    await eventually(async () => ((await withdrawnOn())?.w === '2008-06-30' ? true : undefined), 'the withdrawal applied by linkage');
    await eventually(caughtUp, 'both consumers past the re-driven copy');
    const after = await applied();

    // Again, from the command line: the ledger refuses, nothing is sent.
    const again = JSON.parse(await cli('redrive', refused[0].id, '--by', 'ops-on-call')) as unknown;
    expect(again).toEqual({ redriven: [], already: [refused[0].id], unreadable: [], discarded: [] });
    expect(JSON.parse(await cli('list'))).toMatchObject({ id: refused[0].id, redriven: { by: 'ops-on-call' } });
    // And over the API, for the operator role only, never with the original.
    expect((await call('/dead-letters', 'dsmb')).status).toBe(403);
    const since = encodeURIComponent('2020-01-01T00:00:00Z');
    const listedApi = (await (await call(`/dead-letters?code=unknown-patient&since=${since}`, 'operator')).json()) as unknown[];
    expect(listedApi).toEqual([
      expect.objectContaining({ id: refused[0].id, topic: topics.enrollments, redriven: expect.objectContaining({ by: 'ops-on-call' }) }),
    ]);
    expect((await call('/dead-letters?since=yesterday', 'operator')).status).toBe(400);
    const detail = (await (await call(`/dead-letters/${encodeURIComponent(refused[0].id)}`, 'operator')).json()) as Record<string, unknown>;
    expect(detail).toMatchObject({ id: refused[0].id, code: 'unknown-patient', reason: expect.stringContaining('not randomised') });
    expect(JSON.stringify(detail)).not.toContain(refused[0].record.originalBase64 as string);
    expect(JSON.stringify(detail)).not.toContain('DS-002');
    expect((await call('/dead-letters/nope.dlq:0:0', 'operator')).status).toBe(404);
    const viaApi = await call('/dead-letters/redrive', 'operator', { ids: [refused[0].id] });
    expect(viaApi.status).toBe(200);
    expect(await viaApi.json()).toEqual({ redriven: [], already: [refused[0].id], unreadable: [], discarded: [] });
    // A second copy reaches the topic anyway (the claim lost in a crash after the send).
    await sql.query('delete from dlq_redrives');
    expect((await redrive(ds, producer, refused, 'ops-on-call', new Date().toISOString())).redriven).toEqual([refused[0].id]);
    await eventually(caughtUp, 'both consumers past the second copy');
    expect(await applied()).toEqual(after);
    expect(await withdrawnOn()).toEqual({ w: '2008-06-30' });
    const projectorApplied = await one<{ n: string }>(
      `select count(*)::text as n from applied_events where consumer = 'projector' and event_id = $1`,
      [withdrawal.eventId],
    );
    expect(projectorApplied).toEqual({ n: '1' });
    // Nothing new was refused: the copies applied cleanly or as duplicates.
    expect((await letters()).map((l) => l.id)).toEqual(refused.map((l) => l.id));
  });
});
