import { INestApplication } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { apiModule } from '../../apps/api/src/app.module';
import { runInterim } from '../../apps/cli/src/commands/interim';
import { PROJECTOR_IN_PROCESS, projectorModule } from '../../apps/projector/src/app.module';
import { type EnrollmentEvent, type InterimLookTaken, type OutcomeEvent, type TopicNames } from '@trial/contracts';
import { signToken } from '@trial/auth';
import { rebuild, streamLog } from '@trial/projection';
import { createDataSource } from '@trial/storage';
import { eventually, privateDatabase, privateTopics, startInProcess, testConfig, testKafka, uniqueId } from '../support';
import { trialEvents } from './readout/trial';
import { publishEvents } from '../support/publish';

const SECRET = 'test-secret-test-secret-test-secret-0123';
type Json = Record<string, unknown>;

/**
 * Interim looks, through the real broker and database: a DSMB member takes a look at
 * the interim read-out (POST /trials/:id/looks), the projector freezes it, and GET
 * /trials/:id/looks/:n gives that closed report figure for figure after later deaths, a death
 * amendment, a cancellation, a late registration and a protocol amendment, and after a replay.
 * GET /trials/:id/interim is `followup interim` on the looks' events and z. Every read audited.
 */
describe('interim looks taken, frozen (projector + API, real Kafka and Postgres)', () => {
  const kafka = testKafka();
  const trialId = uniqueId('LOOK');
  const ev = trialEvents(trialId);
  // The monitoring plan of TrialRegistered v2: one-sided, O'Brien-Fleming futility, a design HR.
  const registered = {
    ...(ev.early.enrolments[0] as Extract<EnrollmentEvent, { type: 'TrialRegistered' }>),
    plannedEvents: 12,
    alpha: 0.025,
    sided: 1 as const,
    looks: [0.5, 1],
    futility: { spending: 'obrien-fleming' as const, beta: 0.2 },
    designHazardRatio: 0.7,
    allocationRatio: 1,
    // An analysis plan, so that each frozen look carries the closed figures too.
    subgroups: [{ variable: 'site', from: 'site' as const }],
    endpoints: [{ code: 'CVDEATH', name: 'Cardiovascular death', icd10: [{ from: 'I00', to: 'I99' }] }],
  };
  const amended = { ...registered, eventId: `${trialId}:reg-amended`, plannedEvents: 16, looks: [0.25, 0.5, 0.75, 1] };
  let topics: TopicNames;
  let prefix: string;
  let drop: () => Promise<void>;
  let producer: Producer;
  let ds: DataSource;
  const apps: INestApplication[] = [];
  let api = '';
  // A second API process on the same database and topics: looks must be numbered safely across processes.
  let api2 = '';
  const token = (role: 'dsmb' | 'monitor') => signToken(SECRET, { sub: `${role}-chair`, role, ttlSeconds: 600 });
  const call = (path: string, role: 'dsmb' | 'monitor', init: RequestInit = {}, base = api) =>
    fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${token(role)}`, ...(init.headers ?? {}) } });
  const json = async (path: string): Promise<Json> => {
    const r = await call(path, 'dsmb');
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as Json;
  };
  const publish = (enrolments: EnrollmentEvent[], outcomes: OutcomeEvent[]) => publishEvents(producer, topics, enrolments, outcomes);
  const settled = (n: number) =>
    eventually(
      async () => {
        const body = (await (await call(`/trials/${trialId}`, 'monitor')).json()) as { eventsApplied?: number };
        return body.eventsApplied === n ? body : undefined;
      },
      `${n} events applied to ${trialId}`,
      30_000,
    );
  const meta = ['trialId', 'asOf', 'eventsApplied', 'deaths', 'informationFraction', 'logRankZ', 'looksTaken', 'prospective'];
  const documentOf = (r: Json) => Object.fromEntries(Object.entries(r).filter(([k]) => !meta.includes(k)));
  const closedOf = (r: Json) => ({ stratified: r.stratified, subgroups: r.subgroups, endpoints: r.endpoints });
  const interimCli = (d: typeof registered, events: number[], z: number[]) =>
    JSON.parse(
      runInterim({
        plannedEvents: String(d.plannedEvents),
        events: events.join(','),
        z: z.join(','),
        looks: d.looks.join(','),
        alpha: String(d.alpha),
        sided: String(d.sided),
        spending: d.spending,
        futility: d.futility.spending,
        beta: String(d.futility.beta),
        hr1: String(d.designHazardRatio),
        allocation: String(d.allocationRatio),
        json: true,
      }),
    ) as Json;

  const db = privateDatabase(trialId);
  let shown: Json;
  let frozen: Json;
  let taken: InterimLookTaken;

  beforeAll(async () => {
    await db.create();
    ({ topics, prefix, drop } = await privateTopics(kafka, 'looks'));
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    ds = await createDataSource(db.url, { poolSize: 2 }).initialize();
    apps.push(
      (await startInProcess(projectorModule, testConfig(prefix, { DATABASE_URL: db.url }), `projector-${trialId}`, PROJECTOR_IN_PROCESS)).app,
    );
    const a = await startInProcess(apiModule, testConfig(prefix, { DATABASE_URL: db.url }));
    apps.push(a.app);
    api = a.url;
    const b = await startInProcess(apiModule, testConfig(prefix, { DATABASE_URL: db.url }));
    apps.push(b.app);
    api2 = b.url;
  });

  afterAll(async () => {
    for (const a of apps.reverse()) await a.close();
    await producer?.disconnect();
    await ds?.destroy();
    await drop?.();
    await db.drop();
  });

  it('takes a look at the read-out the board sees, and freezes it as shown', async () => {
    await publish([registered, ...ev.early.enrolments.slice(1)], ev.early.outcomes);
    await settled(ev.earlyCount);
    shown = await json(`/trials/${trialId}/interim`);
    expect(shown).toMatchObject({ deaths: 5, looksTaken: 0, prospective: true, futility: 'obrien-fleming', conditionalPower: { hr1: 0.7 } });
    const z = shown.logRankZ as number;
    const closedShown = await json(`/trials/${trialId}/survival`);
    expect(closedShown.asOf).toBe(shown.asOf);
    expect(documentOf(shown)).toEqual(interimCli(registered, [5], [z]));

    expect((await call(`/trials/${trialId}/looks`, 'dsmb', { method: 'POST', body: '{}' })).status).toBe(415);
    // The read-out shown, by its instant (as the dashboard sends it).
    const body = JSON.stringify({ asOf: shown.asOf });
    const r = await call(`/trials/${trialId}/looks`, 'dsmb', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(202);
    taken = (await r.json()) as InterimLookTaken;
    expect(taken).toMatchObject({
      type: 'InterimLookTaken',
      trialId,
      look: 1,
      events: 5,
      z,
      asOf: shown.asOf,
      dataCutoff: null,
      takenBy: 'dsmb-chair',
    });
    await settled(ev.earlyCount + 1);
    const list = (await json(`/trials/${trialId}/looks`)) as unknown as Json[];
    expect(list).toEqual([{ taken, recordedAt: expect.any(String), unavailable: null }]);
    frozen = await json(`/trials/${trialId}/looks/1`);
    expect(frozen.report).toEqual(documentOf(shown));
    // The closed figures as the dsmb read-out gave them at the look's asOf.
    expect(closedOf(closedShown).endpoints).toBeDefined();
    expect(frozen.closed).toEqual(closedOf(closedShown));
    // The same information twice is one look.
    const again = await call(`/trials/${trialId}/looks`, 'dsmb', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect([again.status, ((await again.json()) as Json).code]).toEqual([409, 'no-new-information']);
    const bad = await call(`/trials/${trialId}/looks`, 'dsmb', {
      method: 'POST',
      body: '{"asOf":"soon","extra":1}',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
  });

  it('leaves the frozen look as it was after later deaths, amendments, a late registration and a new design', async () => {
    await publish([], ev.late.outcomes);
    await publish([...ev.late.enrolments, amended], []);
    await settled(ev.earlyCount + 1 + ev.lateCount + 1);
    expect(await json(`/trials/${trialId}/looks/1`)).toEqual(frozen);
    // ... though the read-out's closed figures have moved since.
    expect(closedOf(await json(`/trials/${trialId}/survival`))).not.toEqual(frozen.closed);

    // Now: look 1 as recorded, the current position as look 2, under the amended design.
    const now = await json(`/trials/${trialId}/interim`);
    expect(now).toMatchObject({ deaths: 8, looksTaken: 1, prospective: true, plannedEvents: 16 });
    expect(documentOf(now)).toEqual(interimCli(amended, [5, 8], [taken.z, now.logRankZ as number]));
    const closedNow = await json(`/trials/${trialId}/survival`);

    // Three members at once, two through one API process and one through another: one look 2, the
    // others told there is no new information (a second process must not publish look 2 too).
    const post = (base: string) =>
      call(`/trials/${trialId}/looks`, 'dsmb', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }, base);
    const all = await Promise.all([post(api), post(api2), post(api)]);
    const bodies = (await Promise.all(all.map((r) => r.json()))) as Json[];
    expect(all.map((r) => r.status).sort()).toEqual([202, 409, 409]);
    expect(bodies.map((b) => b.look ?? b.code).sort()).toEqual([2, 'no-new-information', 'no-new-information']);
    expect(((await json(`/trials/${trialId}/looks`)) as unknown as Json[]).map((l) => (l.taken as Json).look)).toEqual([1, 2]);
    // Look 2 as frozen is the read-out shown just before it was taken.
    const look2 = await json(`/trials/${trialId}/looks/2`);
    expect(look2.report).toEqual(documentOf(now));
    expect(look2.closed).toEqual(closedOf(closedNow));
  });

  it('takes a retried look as the same look, and replays to the same frozen report', async () => {
    await publish([{ ...taken, eventId: `${trialId}:retried` }], []);
    await settled(ev.earlyCount + 1 + ev.lateCount + 1 + 1 + 1);
    expect(((await json(`/trials/${trialId}/looks`)) as unknown as Json[]).length).toBe(2);
    const report = await rebuild(ds, streamLog(kafka, topics), { trialId, now: () => new Date().toISOString() });
    expect(report).toMatchObject({ trials: 1, refused: 0 });
    expect(await json(`/trials/${trialId}/looks/1`)).toMatchObject({
      taken: frozen.taken,
      report: frozen.report,
      closed: frozen.closed,
      unavailable: null,
    });
  });

  it('freezes a look taken at a data cutoff with the closed figures at that cutoff', async () => {
    const death = (i: number, dateOfDeath: string, underlyingCause: string): OutcomeEvent => ({
      v: 1,
      type: 'DeathLinked',
      eventId: `${trialId}:death-${i}`,
      trialId,
      patientId: `P${i}`,
      occurredAt: '2011-01-05T10:00:00Z',
      source: 'ONS',
      recordId: `${trialId}-D${i}`,
      version: 1,
      dateOfDeath,
      underlyingCause,
      evidence: { method: 'deterministic', modelVersion: 'test', weight: null, fields: {} },
    });
    // One death before the cutoff (so the look has new information), one after it (so the cutoff matters).
    await publish([], [death(13, '2010-03-03', 'I21.9'), death(11, '2010-09-09', 'C34.1')]);
    await settled(ev.earlyCount + 1 + ev.lateCount + 1 + 1 + 1 + 2);
    const cutoff = '2010-06-30';
    const shownAt = await json(`/trials/${trialId}/survival?dataCutoff=${cutoff}`);
    const body = JSON.stringify({ asOf: shownAt.asOf, dataCutoff: cutoff });
    const r = await call(`/trials/${trialId}/looks`, 'dsmb', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(202);
    expect(await r.json()).toMatchObject({ look: 3, events: 9, dataCutoff: cutoff });
    const look3 = await json(`/trials/${trialId}/looks/3`);
    expect(look3.closed).toEqual(closedOf(shownAt));
    expect(look3.closed).not.toEqual(closedOf(await json(`/trials/${trialId}/survival`)));
  });

  it('shows a monitor none of it, and audits every read', async () => {
    for (const path of ['looks', 'looks/1', 'interim']) expect((await call(`/trials/${trialId}/${path}`, 'monitor')).status).toBe(403);
    const post = await call(`/trials/${trialId}/looks`, 'monitor', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(post.status).toBe(403);
    expect((await call(`/trials/${trialId}/looks/9`, 'dsmb')).status).toBe(404);
    const audit = (await json(`/audit?trialId=${encodeURIComponent(trialId)}&limit=1000`)) as unknown as Array<{ view: string; query: Json }>;
    expect(new Set(audit.map((a) => a.view))).toEqual(new Set(['interim', 'survival', 'look-taken', 'looks', 'look']));
    expect(audit.filter((a) => a.view === 'look').map((a) => a.query)).toContainEqual({ look: 1 });
  });
});
