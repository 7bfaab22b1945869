import { INestApplication } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { apiModule } from '../../apps/api/src/app.module';
import { PROJECTOR_IN_PROCESS, projectorModule } from '../../apps/projector/src/app.module';
import { TopicNames } from '@trial/contracts';
import { Role, signToken } from '@trial/auth';
import { recordAudit } from '@trial/projection';
import { createDataSource } from '@trial/storage';
import { eventually, privateDatabase, privateTopics, startInProcess, testConfig, testKafka, uniqueId } from '../support';
import { trialEvents } from './readout/trial';
import { publishEvents } from '../support/publish';

const SECRET = 'test-secret-test-secret-test-secret-0123';

/**
 * Credentials in URLs, through the real API, projector, broker and database: a credential
 * is accepted in a URL only on the SSE stream and only as a one-use stream ticket, never lands
 * in audit_log.query; a stream closes when its token expires; each by-arm push is audited.
 */
describe('stream tickets, URL credentials and stream expiry (real Kafka and Postgres)', () => {
  const kafka = testKafka();
  const trialId = uniqueId('ST');
  const ev = trialEvents(trialId);
  const db = privateDatabase(trialId);
  let topics: TopicNames;
  let drop: () => Promise<void>;
  let producer: Producer;
  let ds: DataSource;
  const apps: INestApplication[] = [];
  let api = '';
  const token = (role: Role, sub = `${role}-st`, ttlSeconds = 600) => signToken(SECRET, { sub, role, ttlSeconds });

  beforeAll(async () => {
    await db.create();
    let prefix: string;
    ({ topics, prefix, drop } = await privateTopics(kafka, 'tickets'));
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    ds = await createDataSource(db.url, { poolSize: 2 }).initialize();
    apps.push(
      (await startInProcess(projectorModule, testConfig(prefix, { DATABASE_URL: db.url }), `projector-${trialId}`, PROJECTOR_IN_PROCESS)).app,
    );
    const a = await startInProcess(apiModule, testConfig(prefix, { DATABASE_URL: db.url }));
    apps.push(a.app);
    api = a.url;
    await publishEvents(producer, topics, ev.early.enrolments, ev.early.outcomes);
    await eventually(
      async () => {
        const r = await fetch(`${api}/trials/${trialId}`, { headers: { authorization: `Bearer ${token('monitor')}` } });
        return r.status === 200 && ((await r.json()) as { eventsApplied: number }).eventsApplied === ev.earlyCount ? true : undefined;
      },
      'the early events projected',
      30_000,
    );
  });

  afterAll(async () => {
    for (const a of apps.reverse()) await a.close();
    await producer?.disconnect();
    await ds?.destroy();
    await drop?.();
    await db.drop();
  });

  const ticketFor = async (bearer: string): Promise<string> => {
    const r = await fetch(`${api}/stream-tickets`, { method: 'POST', headers: { authorization: `Bearer ${bearer}` } });
    expect(r.status).toBe(201);
    const body = (await r.json()) as { ticket: string; expiresAt: string };
    expect(Date.parse(body.expiresAt) - Date.now()).toBeLessThanOrEqual(30_000);
    return body.ticket;
  };

  /** Reads an SSE response until `until` holds for the frames so far or the stream ends; returns them and whether it ended. */
  async function frames(res: Response, until: (data: string[]) => boolean, timeoutMs: number): Promise<{ data: string[]; ended: boolean }> {
    const reader = res.body!.getReader();
    const data: string[] = [];
    let buffer = '';
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) {
        await reader.cancel();
        return { data, ended: false };
      }
      let timer: NodeJS.Timeout | undefined;
      const next = await Promise.race([
        reader.read(),
        new Promise<'late'>((r) => {
          timer = setTimeout(() => r('late'), left);
        }),
      ]);
      clearTimeout(timer);
      if (next === 'late') {
        await reader.cancel();
        return { data, ended: false };
      }
      if (next.done) return { data, ended: true };
      buffer += new TextDecoder().decode(next.value);
      for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
        const frame = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const line = frame.split('\n').find((l) => l.startsWith('data:'));
        if (line) data.push(line.slice(5).trim());
      }
      if (until(data)) {
        await reader.cancel();
        return { data, ended: false };
      }
    }
  }

  it('refuses a token in the URL on every route, even with a valid header beside it, and stores none in the audit log', async () => {
    const dsmb = token('dsmb', 'dsmb-url');
    const urls: Array<[string, string, Role]> = [
      ['GET', '/trials', 'dsmb'],
      ['GET', `/trials/${trialId}/survival?tau=365`, 'dsmb'],
      ['GET', `/trials/${trialId}/interim`, 'dsmb'],
      ['GET', `/trials/${trialId}/adtte.csv`, 'dsmb'],
      ['GET', '/audit', 'dsmb'],
      ['GET', `/trials/${trialId}/stream`, 'dsmb'],
      ['POST', '/reviews/no-such-review/decision', 'reviewer'],
      ['POST', '/stream-tickets', 'dsmb'],
    ];
    for (const [method, path, role] of urls) {
      const t = token(role, `${role}-url`);
      for (const param of ['access_token', 'token', 'Access_Token']) {
        const sep = path.includes('?') ? '&' : '?';
        const bare = await fetch(`${api}${path}${sep}${param}=${t}`, { method });
        expect([method, path, param, bare.status]).toEqual([method, path, param, 401]);
        const both = await fetch(`${api}${path}${sep}${param}=${t}`, { method, headers: { authorization: `Bearer ${t}` } });
        expect([method, path, param, both.status]).toEqual([method, path, param, 401]);
      }
    }
    // The same reads with the header alone work and are audited, without any credential.
    expect((await fetch(`${api}/trials/${trialId}/survival?tau=365`, { headers: { authorization: `Bearer ${dsmb}` } })).status).toBe(200);
    const rows = (await ds.query(`select query::text as q from audit_log where sub like '%-url'`)) as Array<{ q: string }>;
    expect(rows.map((r) => r.q)).toEqual(['{"tau": "365"}']);
  });

  it('leaves credential parameters out of an audit row whoever writes it', async () => {
    const t = token('dsmb');
    await recordAudit(ds, {
      sub: 'audit-strip',
      role: 'dsmb',
      trialId,
      view: 'survival',
      query: { access_token: t, ticket: 'abc', TOKEN: 'x', tau: '365', note: `Bearer ${t}` },
    });
    const [row] = (await ds.query(`select query from audit_log where sub = 'audit-strip'`)) as Array<{ query: unknown }>;
    expect(row.query).toEqual({ tau: '365' });
  });

  it("audits only the read-out's own parameters of a dsmb read: an unknown key, an identifier or a nested object is not kept", async () => {
    const dsmb = token('dsmb', 'dsmb-extra');
    const r = await fetch(`${api}/trials/${trialId}/survival?tau=365&apikey=APIKEYVALUE&nhs=9434765919&a[b]=1&confType=log`, {
      headers: { authorization: `Bearer ${dsmb}` },
    });
    expect(r.status).toBe(200);
    const [row] = (await ds.query(`select query from audit_log where sub = 'dsmb-extra'`)) as Array<{ query: unknown }>;
    expect(row.query).toEqual({ tau: '365', confType: 'log' });
    const listed = await (await fetch(`${api}/audit?trialId=${trialId}&limit=1000`, { headers: { authorization: `Bearer ${dsmb}` } })).text();
    for (const s of ['APIKEYVALUE', '9434765919', 'apikey', '"a"']) expect(listed).not.toContain(s);
    // Whoever writes the row: a value too long for its field is left out too.
    await recordAudit(ds, {
      sub: 'audit-bound',
      role: 'dsmb',
      trialId,
      view: 'survival',
      query: { tau: '1'.repeat(40), ties: 'efron', asOf: { nested: 1 } },
    });
    const [bounded] = (await ds.query(`select query from audit_log where sub = 'audit-bound'`)) as Array<{ query: unknown }>;
    expect(bounded.query).toEqual({ ties: 'efron' });
  });

  it('opens the stream with a one-use ticket, never with a token in the URL', async () => {
    const monitor = token('monitor');
    const ticket = await ticketFor(monitor);
    const ctrl = new AbortController();
    const res = await fetch(`${api}/trials/${trialId}/stream?ticket=${ticket}`, { signal: ctrl.signal });
    expect(res.status).toBe(200);
    const { data } = await frames(res, (d) => d.length >= 1, 10_000);
    expect(data[0]).toContain('"groups":[{"group":"all"');
    ctrl.abort();
    expect((await fetch(`${api}/trials/${trialId}/stream?ticket=${ticket}`)).status).toBe(401); // spent
    expect((await fetch(`${api}/trials/${trialId}/stream?ticket=made-up`)).status).toBe(401);
    expect((await fetch(`${api}/trials/${trialId}/stream?access_token=${monitor}`)).status).toBe(401);
    // A ticket is for the stream only.
    expect((await fetch(`${api}/trials/${trialId}?ticket=${await ticketFor(monitor)}`)).status).toBe(401);
    // Only roles that may stream get one.
    expect((await fetch(`${api}/stream-tickets`, { method: 'POST', headers: { authorization: `Bearer ${token('reviewer')}` } })).status).toBe(403);
  });

  it('closes a dsmb stream when its token expires, and audits every by-arm push before sending it', async () => {
    const sub = `dsmb-expiring-${Date.now()}`;
    const short = token('dsmb', sub, 4);
    const opened = Date.now();
    const res = await fetch(`${api}/trials/${trialId}/stream?ticket=${await ticketFor(short)}`);
    expect(res.status).toBe(200);
    // A change while it is open: a second by-arm push.
    setTimeout(() => {
      void producer.send({
        topic: topics.enrollments,
        acks: -1,
        messages: [
          {
            key: trialId,
            value: JSON.stringify({ v: 1, type: 'PatientSeenAlive', eventId: `${trialId}:seen-st`, trialId, patientId: 'P13', seenOn: '2009-05-05' }),
          },
        ],
      });
    }, 300);
    const { data, ended } = await frames(res, () => false, 15_000);
    const closedAfter = Date.now() - opened;
    console.log(`dsmb stream with a 4 s token: ${data.length} pushes, closed by the server ${closedAfter} ms after opening`);
    expect(ended).toBe(true);
    expect(closedAfter).toBeLessThan(6_500);
    expect(data.length).toBeGreaterThanOrEqual(2);
    expect(data[0]).toContain('"logRank"');
    const audit = (await ds.query(`select view, query from audit_log where sub = $1 order by id`, [sub])) as Array<{
      view: string;
      query: { eventsApplied?: number };
    }>;
    expect(audit.map((a) => a.view)).toEqual(['stream', ...data.map(() => 'stream-push')]);
    expect(audit.slice(1).map((a) => a.query.eventsApplied)).toEqual(data.map((d) => (JSON.parse(d) as { eventsApplied: number }).eventsApplied));
    // A new ticket cannot be had with the expired token.
    expect((await fetch(`${api}/stream-tickets`, { method: 'POST', headers: { authorization: `Bearer ${short}` } })).status).toBe(401);
  });
});
