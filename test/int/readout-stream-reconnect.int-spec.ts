import { INestApplication } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { Client } from 'pg';
import { apiModule } from '../../apps/api/src/app.module';
import { PROJECTOR_IN_PROCESS, projectorModule } from '../../apps/projector/src/app.module';
import { enrollmentKey, EnrollmentMessage, TopicNames } from '@trial/contracts';
import { signToken } from '@trial/auth';
import { nhs } from './readout/trial';
import { eventually, privateTopics, startInProcess, testConfig, testKafka, TEST_DATABASE_URL, uniqueId } from '../support';
import { registeredTrialV1 } from '../support/events';

const SECRET = 'test-secret-test-secret-test-secret-0123';

/**
 * The dashboard's live stream must survive the loss of the API's LISTEN
 * connection (what a Postgres restart does to it). The backend is terminated by
 * application_name, in this suite's database only, so the shared Postgres is not restarted.
 */
describe('read-out stream after the LISTEN connection is lost (real Kafka and Postgres)', () => {
  const kafka = testKafka();
  const trialId = uniqueId('SSE');
  let topics: TopicNames;
  let prefix: string;
  let drop: () => Promise<void>;
  let producer: Producer;
  const apps: INestApplication[] = [];
  let api = '';
  const token = signToken(SECRET, { sub: 'monitor-tester', role: 'monitor', ttlSeconds: 600 });
  const publish = (events: EnrollmentMessage[]) =>
    producer.send({ topic: topics.enrollments, acks: -1, messages: events.map((e) => ({ key: enrollmentKey(e), value: JSON.stringify(e) })) });
  const randomised = (i: number): EnrollmentMessage => ({
    v: 1,
    type: 'PatientRandomised',
    eventId: `${trialId}:rand-${i}`,
    trialId,
    patientId: `P${i}`,
    arm: i % 2 ? 'IABP' : 'control',
    randomisedOn: '2008-01-10',
    site: 'KCH',
    nhsNumber: nhs(i),
    chiNumber: null,
    dateOfBirth: '1945-06-01',
    sex: 'M',
    familyName: 'Test',
    givenNames: 'Patient',
    postcode: null,
  });
  const sql = async <T>(text: string, params: unknown[] = []): Promise<T[]> => {
    const c = new Client({ connectionString: TEST_DATABASE_URL });
    await c.connect();
    try {
      return (await c.query(text, params)).rows as T[];
    } finally {
      await c.end();
    }
  };
  const listeners = () =>
    sql<{ pid: number }>(`select pid from pg_stat_activity where application_name = 'api-listen' and datname = current_database()`);

  beforeAll(async () => {
    ({ topics, prefix, drop } = await privateTopics(kafka, 'sse'));
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    apps.push((await startInProcess(projectorModule, testConfig(prefix), `projector-${trialId}`, PROJECTOR_IN_PROCESS)).app);
    const a = await startInProcess(apiModule, testConfig(prefix));
    apps.push(a.app);
    api = a.url;
    await publish([registeredTrialV1(trialId, 'stream suite'), randomised(1)]);
    await eventually(async () => {
      const r = await fetch(`${api}/trials/${trialId}`, { headers: { authorization: `Bearer ${token}` } });
      return r.status === 200 && ((await r.json()) as { eventsApplied: number }).eventsApplied === 2 ? true : undefined;
    }, 'the trial projected');
  });

  afterAll(async () => {
    for (const a of apps.reverse()) await a.close();
    await producer?.disconnect();
    await drop?.();
  });

  it('reconnects at once, resends the current read-out, and carries on streaming changes', async () => {
    const ctrl = new AbortController();
    const res = await fetch(`${api}/trials/${trialId}/stream`, { headers: { authorization: `Bearer ${token}` }, signal: ctrl.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const frames: string[] = [];
    let buffered = '';
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffered += new TextDecoder().decode(value);
        // One SSE message ends with a blank line.
        for (let i = buffered.indexOf('\n\n'); i >= 0; i = buffered.indexOf('\n\n')) {
          const msg = buffered.slice(0, i);
          buffered = buffered.slice(i + 2);
          if (msg.includes('data:')) frames.push(msg);
        }
      }
    })();
    const frameWith = (text: string, from: number) =>
      eventually(async () => frames.slice(from).find((f) => f.includes(text)), `a stream frame with ${text}`, 20_000);
    await frameWith('"eventsApplied":2', 0);
    const [before] = await eventually(async () => ((await listeners()).length === 1 ? listeners() : undefined), 'one api-listen backend');

    // What a Postgres restart does to the API's LISTEN connection.
    await sql(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'api-listen' and datname = current_database()`);
    const seen = frames.length;
    // Reconnected without a new subscriber, and the open stream is sent the current read-out.
    const [after] = await eventually(
      async () => {
        const l = await listeners();
        return l.length === 1 && l[0].pid !== before.pid ? l : undefined;
      },
      'a new api-listen backend',
      15_000,
    );
    expect(after.pid).not.toBe(before.pid);
    await frameWith('"eventsApplied":2', seen);

    // And a change after the reconnect reaches the stream that was open all along.
    const mark = frames.length;
    await publish([randomised(2)]);
    await frameWith('"eventsApplied":3', mark);
    ctrl.abort();
  });
});
