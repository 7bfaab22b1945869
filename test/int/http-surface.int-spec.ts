// The HTTP surface through the real API (and the projector, for a trial to read): security
// headers on every answer and no X-Powered-By; no-store on by-arm and audited answers; review
// decisions only as JSON (a form post is a cross-site "simple" request); hostile ids and
// parameters a 404 or a 400, never a 500.
import { INestApplication } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { apiModule } from '../../apps/api/src/app.module';
import { ingestModule } from '../../apps/ingest/src/app.module';
import { PROJECTOR_IN_PROCESS, projectorModule } from '../../apps/projector/src/app.module';
import { Role, signToken } from '@trial/auth';
import { eventually, privateTopics, startInProcess, testConfig, testKafka, uniqueId } from '../support';
import { enrolKey, person, randomised, send } from './linkage/fixtures';
import { registeredTrialV1 } from '../support/events';

const SECRET = 'test-secret-test-secret-test-secret-0123';

describe('the HTTP surface (real API, Kafka and Postgres)', () => {
  const kafka = testKafka();
  const trialId = uniqueId('HTTP');
  const apps: INestApplication[] = [];
  let producer: Producer;
  let drop: () => Promise<void> = async () => undefined;
  let api = '';
  let ingest = '';
  const token = (role: Role) => signToken(SECRET, { sub: `${role}-tester`, role, ttlSeconds: 600 });
  const get = (path: string, role?: Role) => fetch(`${api}${path}`, { headers: role ? { authorization: `Bearer ${token(role)}` } : {} });

  beforeAll(async () => {
    const t = await privateTopics(kafka, 'http');
    drop = t.drop;
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const config = testConfig(t.prefix);
    apps.push((await startInProcess(projectorModule, config, `projector-${trialId}`, PROJECTOR_IN_PROCESS)).app);
    const a = await startInProcess(apiModule, config);
    apps.push(a.app);
    api = a.url;
    const i = await startInProcess(ingestModule, config);
    apps.push(i.app);
    ingest = i.url;
    await send(producer, t.topics.enrollments, [registeredTrialV1(trialId, 'http suite', uniqueId('reg'))], () => `${trialId}:`);
    await send(producer, t.topics.enrollments, [randomised(person(trialId)), { ...randomised(person(trialId)), arm: 'control' }], enrolKey);
    await eventually(async () => ((await get(`/trials/${trialId}`, 'monitor')).status === 200 ? true : undefined), 'the trial projected', 30_000);
  }, 60_000);

  afterAll(async () => {
    for (const a of apps) await a.close();
    await producer?.disconnect();
    await drop();
  });

  const expectSecurityHeaders = (res: Response) => {
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  };

  it('sends the security headers on every answer and no X-Powered-By', async () => {
    for (const [path, role] of [
      ['/trials', 'monitor'],
      ['/trials', undefined],
      ['/health', undefined],
      ['/nowhere', undefined],
    ] as const) {
      const res = await get(path, role);
      expectSecurityHeaders(res);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(res.headers.get('cache-control')).toMatch(/(^|, )no-store(,|$)/);
    }
    // The dashboard page keeps its own policy (same-origin scripts), still framed by no one.
    const page = await get('/');
    expectSecurityHeaders(page);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const docs = await get('/docs');
    expectSecurityHeaders(docs);
    expect(docs.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('marks by-arm and audited answers no-store', async () => {
    const paths = [
      `/trials/${trialId}`,
      `/trials/${trialId}/survival`,
      `/trials/${trialId}/summary`,
      `/trials/${trialId}/adtte.csv`,
      `/trials/${trialId}/adam`,
    ];
    for (const path of [...paths, '/audit']) {
      const res = await get(path, 'dsmb');
      expect([path, res.status]).toEqual([path, 200]);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expectSecurityHeaders(res);
    }
  });

  it('takes a review decision only as JSON: a form post or any other simple request is 415', async () => {
    const post = (type: string | null, body: string) =>
      fetch(`${api}/reviews/${uniqueId('rv')}/decision`, {
        method: 'POST',
        body,
        headers: { authorization: `Bearer ${token('reviewer')}`, ...(type === null ? {} : { 'content-type': type }) },
      });
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain', 'text/plain; charset=utf-8', null]) {
      const res = await post(type, 'decision=reject');
      expect([type, res.status]).toEqual([type, 415]);
      expect(await res.json()).toMatchObject({ code: 'unsupported-media-type' });
    }
    // JSON reaches the decision (no such review: 404), in any case and with parameters.
    for (const type of ['application/json', 'Application/JSON; charset=utf-8']) {
      const res = await post(type, JSON.stringify({ decision: 'reject' }));
      expect([type, res.status]).toEqual([type, 404]);
    }
    // The ingest service's completeness corrections likewise.
    const correction = await fetch(`${ingest}/registry/completeness-corrections`, {
      method: 'POST',
      body: 'source=ONS&completeUpTo=2011-01-01&reason=x',
      headers: { authorization: `Bearer ${token('registry-admin')}`, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(correction.status).toBe(415);
    expectSecurityHeaders(correction);
    // Without a token it is still a 401 first: the media type tells an anonymous caller nothing.
    const anon = await fetch(`${api}/reviews/x/decision`, {
      method: 'POST',
      body: 'decision=reject',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(anon.status).toBe(401);
  });

  const hostile: Array<[string, Role | undefined, number]> = [
    ['/dashboard/vendor/constructor', undefined, 404],
    ['/dashboard/vendor/__proto__', undefined, 404],
    ['/dashboard/vendor/toString', undefined, 404],
    ['/dashboard/constructor', undefined, 404],
    ['/dashboard/__proto__.js', undefined, 404],
    ['/trials/__proto__', 'monitor', 404],
    ['/trials/constructor/survival', 'dsmb', 404],
    ['/reviews/__proto__', 'reviewer', 404],
    ['/trials/%00', 'monitor', 400],
    ['/trials/a%00b/survival', 'dsmb', 400],
    ['/trials/x%01y', 'monitor', 400],
    ['/reviews/%00', 'reviewer', 400],
    ['/audit?trialId=%00', 'dsmb', 400],
    ['/audit?limit=%00', 'dsmb', 400],
    ['/trials/%ED%A0%80', 'monitor', 400],
    ['/trials/%C0%80', 'monitor', 400],
    ['/trials/%E0%A4%A', 'monitor', 400],
    ['/dashboard/vendor/%00', undefined, 400],
    ['/trials/T/survival?__proto__[at]=1', 'dsmb', 404],
    [`/trials/${'x'.repeat(8000)}/survival`, 'dsmb', 404],
    [`/trials/${'x'.repeat(8000)}`, 'monitor', 404],
    [`/reviews/${'x'.repeat(8000)}`, 'reviewer', 404],
    [`/audit?trialId=${'x'.repeat(8000)}`, 'dsmb', 200],
    ['/trials/%F0%9F%98%80/interim', 'dsmb', 404],
    ['/reviews?limit=1e999', 'reviewer', 400],
    ['/reviews?status=open&status=accepted', 'reviewer', 400],
    ['/audit?limit=-1', 'dsmb', 400],
    ['/trials/T/survival?constructor=1&at=x', 'dsmb', 400],
  ];
  const short = (path: string) => (path.length > 60 ? `${path.slice(0, 40)}... (${path.length} characters)` : path);
  it.each(hostile.map(([path, role, status]) => [`${short(path)} as ${role ?? 'anyone'} gives ${status}, never a 500`, path, role, status] as const))(
    '%s',
    async (_title, path, role, status) => {
      const res = await get(path, role);
      expect([short(path), res.status]).toEqual([short(path), status]);
      expectSecurityHeaders(res);
    },
  );

  it('refuses a credential in the URL of a public route too (401), a valid token included', async () => {
    const dsmb = token('dsmb');
    const urls = [
      `/health?access_token=${dsmb}`,
      `/health?access%5Ftoken=${dsmb}`,
      `/?token=${dsmb}`,
      `/?trial=T&TOKEN=${dsmb}`,
      `/dashboard/app.css?ticket=abc`,
      `/dashboard/vendor/uplot.js?id_token=${dsmb}`,
      `/health?a[token]=${dsmb}`,
    ];
    for (const path of urls) {
      const res = await fetch(`${api}${path}`);
      expect([path, res.status]).toEqual([path, 401]);
      expectSecurityHeaders(res);
    }
    // The same routes without one are as public as before; a fragment never reaches the server.
    for (const path of ['/health', '/?trial=T', '/dashboard/app.css']) expect([path, (await fetch(`${api}${path}`)).status]).toEqual([path, 200]);
  });

  it('refuses a URL beyond the header limit before any handler (431 from Node itself)', async () => {
    expect((await get(`/trials/${'x'.repeat(20_000)}`, 'monitor')).status).toBe(431);
  });

  it('answers a stream of an unknown trial 404 before any event-stream header is written', async () => {
    const res = await get(`/trials/${uniqueId('NOPE')}/stream`, 'monitor');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/json/);
    expect(await res.json()).toMatchObject({ code: 'trial-not-found' });
    // A known trial still streams.
    const ok = await fetch(`${api}/trials/${trialId}/stream`, {
      headers: { authorization: `Bearer ${token('monitor')}` },
      signal: AbortSignal.timeout(5000),
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/text\/event-stream/);
    await ok.body?.cancel();
  });
});
