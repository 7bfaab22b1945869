import { INestApplication } from '@nestjs/common';
import { Kafka, Producer } from 'kafkajs';
import { Client } from 'pg';
import { apiModule } from '../../apps/api/src/app.module';
import { linkageModule } from '../../apps/linkage/src/app.module';
import { smallTrialEnrollments } from '../../apps/cli/src/demo/small-trial';
import { ConsentWithdrawn, dlqOf, enrollmentKey, EnrollmentEvent, TopicNames } from '@trial/contracts';
import { createProducer, filterLetters, readDeadLetters, StoredDeadLetter } from '@trial/messaging';
import { signToken } from '@trial/auth';
import { register as dlqCommands } from '../../apps/cli/src/commands/dlq';
import { register as auditCommands } from '../../apps/cli/src/commands/audit';
import { eventually, KAFKA_BROKERS, privateDatabase, privateTopics, startInProcess, testConfig, testKafka, uniqueId } from '../support';
import { runCli } from '../support/cli';

/**
 * Dead letters closed, by a re-drive or a discard, no longer count as waiting: the linkage
 * service's followup_dlq_open_letters (what FollowupDeadLettersWaiting fires on) falls to 0
 * while followup_dlq_messages (the topic's depth) stays, since the letters stay on the DLQ. A
 * discard is the operator's, audited, with a note; a re-drive then refuses the letter.
 */
describe('closing dead letters: re-drive and discard (real Kafka and Postgres)', () => {
  const kafka: Kafka = testKafka();
  const db = privateDatabase('discard');
  const trialId = uniqueId('DSC');
  const apps: INestApplication[] = [];
  let topics: TopicNames;
  let drop: () => Promise<void>;
  let producer: Producer;
  let sql: Client;
  let cliEnv: Record<string, string>;
  let api: string;
  let linkage: string;
  const SECRET = 'test-secret-test-secret-test-secret-0123';
  const token = (role: 'operator' | 'dsmb') => signToken(SECRET, { sub: `${role}-1`, role, ttlSeconds: 600 });
  const post = (path: string, role: 'operator' | 'dsmb', body: unknown) =>
    fetch(`${api}${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { authorization: `Bearer ${token(role)}`, 'content-type': 'application/json' },
    });
  const cli = async (...args: string[]) => {
    const run = await runCli([dlqCommands], ['dlq', ...args], cliEnv);
    if (run.code !== 0 || run.err) throw new Error(`followup dlq ${args.join(' ')}: ${run.code} ${run.err}`);
    return run.out;
  };
  const [registered, p1, p2] = smallTrialEnrollments(trialId) as EnrollmentEvent[];
  const patientId = (p2 as { patientId: string }).patientId;
  const withdrawal = (eventId: string, effectiveOn: string): ConsentWithdrawn => ({
    v: 1,
    type: 'ConsentWithdrawn',
    eventId,
    trialId,
    patientId,
    effectiveOn,
  });
  const publish = (events: EnrollmentEvent[]) =>
    producer.send({
      topic: topics.enrollments,
      acks: -1,
      messages: events.map((e) => ({ key: enrollmentKey(e), value: JSON.stringify(e) })),
    });
  const letters = async (): Promise<StoredDeadLetter[]> => filterLetters(await readDeadLetters(kafka, [dlqOf(topics.enrollments)]), {});
  /** The linkage service's two DLQ gauges for trial.enrollments.dlq, once both are as expected. */
  const gauges = (depth: number, open: number) =>
    eventually(
      async () => {
        const text = await (await fetch(`${linkage}/metrics`)).text();
        const value = (name: string) => Number(new RegExp(`^${name}\\{topic="${dlqOf(topics.enrollments)}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
        return value('followup_dlq_messages') === depth && value('followup_dlq_open_letters') === open ? true : undefined;
      },
      `DLQ depth ${depth}, ${open} open`,
      30_000,
    );

  beforeAll(async () => {
    await db.create();
    let prefix: string;
    ({ topics, prefix, drop } = await privateTopics(kafka, 'discard'));
    const config = testConfig(prefix, { DATABASE_URL: db.url });
    cliEnv = { NODE_ENV: 'test', KAFKA_BROKERS, DATABASE_URL: db.url, TOPIC_PREFIX: prefix, LOG_LEVEL: 'warn' };
    const l = await startInProcess(linkageModule, config, 'linkage');
    apps.push(l.app);
    linkage = l.url;
    const a = await startInProcess(apiModule, config);
    apps.push(a.app);
    api = a.url;
    producer = createProducer(kafka);
    await producer.connect();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });

  afterAll(async () => {
    for (const a of apps) await a.close();
    await producer?.disconnect();
    await sql?.end();
    await drop?.();
    await db.drop();
  });

  it('counts only open letters, closes them by re-drive or audited discard, and re-drives no discarded letter', async () => {
    // Two withdrawals before the randomisation: both refused (unknown-patient).
    await publish([
      registered,
      p1,
      withdrawal('0b6f3c1e-5d2a-4f0e-9a8b-7c6d5e4f3a01', '2008-06-30'),
      withdrawal('0b6f3c1e-5d2a-4f0e-9a8b-7c6d5e4f3a02', '2008-07-31'),
    ]);
    const [keep, junk] = await eventually(
      async () => {
        const ls = (await letters()).filter((x) => x.record.code === 'unknown-patient');
        return ls.length === 2 ? ls : undefined;
      },
      'both withdrawals dead-lettered',
      30_000,
    );
    await gauges(2, 2);

    // The second should never be applied: discarded, with a note, by the operator (command line).
    expect(JSON.parse(await cli('discard', junk.id, '--by', 'ops-on-call', '--note', 'sent in error; the unit withdrew the first'))).toEqual({
      discarded: [junk.id],
      already: [],
    });
    await gauges(2, 1);
    const audit = (await sql.query(`select sub, role, view, query from audit_log where view = 'dlq-discard'`)).rows as unknown[];
    expect(audit).toEqual([
      {
        sub: 'ops-on-call',
        role: 'operator',
        view: 'dlq-discard',
        query: { letter: junk.id, topic: topics.enrollments, code: 'unknown-patient' },
      },
    ]);
    expect(JSON.stringify(audit)).not.toContain('sent in error');
    expect((await sql.query(`select outcome, closed_by, note from dlq_closed`)).rows).toEqual([
      { outcome: 'discarded', closed_by: 'ops-on-call', note: 'sent in error; the unit withdrew the first' },
    ]);
    expect(
      (await cli('list', '--open'))
        .trim()
        .split('\n')
        .map((x) => (JSON.parse(x) as { id: string }).id),
    ).toEqual([keep.id]);

    // The cause of the first fixed, it is re-driven (API); the discarded one is refused, not sent.
    await publish([p2]);
    const inStore = async () => (await sql.query('select 1 from lk_patients where trial_id = $1 and patient_id = $2', [trialId, patientId])).rowCount;
    await eventually(async () => ((await inStore()) ? true : undefined), 'p2 in the linkage store');
    expect((await post('/dead-letters/redrive', 'dsmb', { ids: [keep.id] })).status).toBe(403);
    const redriven = await post('/dead-letters/redrive', 'operator', { ids: [keep.id, junk.id] });
    expect(await redriven.json()).toEqual({ redriven: [keep.id], already: [], unreadable: [], discarded: [junk.id] });
    await eventually(
      async () =>
        (await sql.query(`select withdrawn_on::text as w from lk_patients where trial_id = $1 and patient_id = $2`, [trialId, patientId])).rows[0]
          ?.w === '2008-06-30'
          ? true
          : undefined,
      'the first withdrawal applied, the second not',
    );
    // Both closed: nothing waits, though both letters are still on the DLQ.
    await gauges(2, 0);
    expect(await cli('list', '--open')).toBe('');

    // A closed letter stays as it was closed; the API's discard is the operator's, with a note.
    expect((await post('/dead-letters/discard', 'dsmb', { ids: [keep.id], note: 'x' })).status).toBe(403);
    expect((await post('/dead-letters/discard', 'operator', { ids: [keep.id], note: ' ' })).status).toBe(400);
    const again = await post('/dead-letters/discard', 'operator', { ids: [keep.id, junk.id], note: 'tidying up' });
    expect(await again.json()).toEqual({ discarded: [], already: [keep.id, junk.id] });
    const listed = (await cli('list'))
      .trim()
      .split('\n')
      .map((x) => JSON.parse(x) as { id: string; closed: { outcome: string } });
    expect(listed.map((x) => [x.id, x.closed.outcome])).toEqual([
      [keep.id, 'redriven'],
      [junk.id, 'discarded'],
    ]);
    expect((await sql.query(`select count(*)::int as n from audit_log where view = 'dlq-discard'`)).rows).toEqual([{ n: 1 }]);
    // The discard's row is in the audit chain like any other.
    const verified = await runCli([auditCommands], ['audit', 'verify'], cliEnv);
    expect([verified.code, verified.err]).toEqual([0, '']);
  });
});
