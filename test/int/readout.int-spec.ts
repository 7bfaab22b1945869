import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { apiModule } from '../../apps/api/src/app.module';
import { PROJECTOR_IN_PROCESS, projectorModule } from '../../apps/projector/src/app.module';
import { EnrollmentEvent, OutcomeEvent, TopicNames } from '@trial/contracts';
import { signToken } from '@trial/auth';
import { rebuild, streamLog } from '@trial/projection';
import { createDataSource } from '@trial/storage';
import { eventually, privateDatabase, privateTopics, startInProcess, testConfig, testKafka, uniqueId } from '../support';
import { trialEvents } from './readout/trial';
import { publishEvents } from '../support/publish';

// Asynchronously: the API under test runs in this process, and a child run with execFileSync
// blocks its event loop for as long as R takes (about 10 s), after which the server's
// keep-alive timer closes the socket the next request has just been written on (ECONNRESET).
const run = async (file: string, args: string[]): Promise<string> =>
  (await promisify(execFile)(file, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })).stdout;

const SECRET = 'test-secret-test-secret-test-secret-0123';
const ROOT = join(__dirname, '..', '..');
type Json = Record<string, unknown>;

/**
 * The read-out, through the real broker and database: a small trial's enrolments and
 * outcome events published with kafkajs, projected, and read back through the API by role;
 * the read-out checked against `followup stats` and R on the ADTTE export; asOf after later
 * events; replay equal to live.
 */
describe('survival read-out (projector + API, real Kafka and Postgres)', () => {
  const kafka = testKafka();
  const trialId = uniqueId('RO');
  const ev = trialEvents(trialId);
  let topics: TopicNames;
  let prefix: string;
  let drop: () => Promise<void>;
  let producer: Producer;
  let ds: DataSource;
  const apps: INestApplication[] = [];
  let api = '';
  const token = (role: 'dsmb' | 'monitor' | 'reviewer', sub = `${role}-tester`) => signToken(SECRET, { sub, role, ttlSeconds: 600 });
  const get = async (path: string, role?: 'dsmb' | 'monitor' | 'reviewer', raw?: string) =>
    fetch(`${api}${path}`, { headers: raw !== undefined ? { authorization: raw } : role ? { authorization: `Bearer ${token(role)}` } : {} });
  const json = async (path: string, role: 'dsmb' | 'monitor'): Promise<Json> => {
    const r = await get(path, role);
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as Json;
  };
  const publish = (enrolments: EnrollmentEvent[], outcomes: OutcomeEvent[]) => publishEvents(producer, topics, enrolments, outcomes);
  const settled = (n: number) =>
    eventually(
      async () => {
        const r = await get(`/trials/${trialId}`, 'monitor');
        if (r.status !== 200) return undefined;
        const body = (await r.json()) as { eventsApplied: number };
        return body.eventsApplied === n ? body : undefined;
      },
      `${n} events applied to ${trialId}`,
      30_000,
    );
  const withoutMeta = ({ trialId: _t, asOf: _a, dataComplete: _d, eventsApplied: _e, ...rest }: Json) => rest;

  let early: Json;
  let earlyAt = '';

  // Registry completeness is global to a database (it concerns every trial), so this suite
  // gets a database of its own: another suite's extract-complete must not move our censoring.
  const db = privateDatabase(trialId);
  const dbUrl = db.url;

  beforeAll(async () => {
    await db.create();
    ({ topics, prefix, drop } = await privateTopics(kafka, 'readout'));
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    ds = await createDataSource(dbUrl, { poolSize: 2 }).initialize();
    apps.push((await startInProcess(projectorModule, testConfig(prefix, { DATABASE_URL: dbUrl }), `projector-${trialId}`, PROJECTOR_IN_PROCESS)).app);
    const a = await startInProcess(apiModule, testConfig(prefix, { DATABASE_URL: dbUrl }));
    apps.push(a.app);
    api = a.url;
  });

  afterAll(async () => {
    for (const a of apps.reverse()) await a.close();
    await producer?.disconnect();
    await ds?.destroy();
    await drop?.();
    await db.drop();
  });

  it('projects the early events and serves the by-arm read-out to the DSMB', async () => {
    await publish(ev.early.enrolments, ev.early.outcomes);
    await settled(ev.earlyCount);
    early = await json(`/trials/${trialId}/survival`, 'dsmb');
    earlyAt = new Date().toISOString();
    console.log(`early read-out: n=${early.n} events=${early.events} eventsApplied=${early.eventsApplied} asOf=${early.asOf}`);
    expect(early).toMatchObject({ trialId, n: 13, events: 5, eventsApplied: ev.earlyCount, dataComplete: { ONS: '2010-06-30' } });
    expect((early.groups as Json[]).map((g) => g.group)).toEqual(['control', 'IABP']);
    expect(early.cox).toMatchObject({ reference: 'control' });
  });

  it('reproduces the early read-out with asOf after later events (amendment, cancellation, parked outcome)', async () => {
    await new Promise((r) => setTimeout(r, 20));
    await publish([], ev.late.outcomes);
    await new Promise((r) => setTimeout(r, 300));
    await publish(ev.late.enrolments, []);
    await settled(ev.earlyCount + ev.lateCount);
    const now = await json(`/trials/${trialId}/survival`, 'dsmb');
    expect(now).toMatchObject({ n: 14, events: 8, dataComplete: { ONS: '2010-12-31' } });
    const past = await json(`/trials/${trialId}/survival?asOf=${encodeURIComponent(earlyAt)}`, 'dsmb');
    expect(past).toEqual(early);
    console.log(`asOf ${earlyAt}: n=${past.n} events=${past.events} (now n=${now.n} events=${now.events})`);
  });

  it('derives each censoring rule into the ADTTE export', async () => {
    const r = await get(`/trials/${trialId}/adtte.csv`, 'dsmb');
    expect(r.status).toBe(200);
    const [header, ...lines] = (await r.text()).trim().split('\n');
    expect(header).toBe('STUDYID,USUBJID,TRTP,TRTPN,PARAMCD,PARAM,AVAL,AVALU,STARTDT,ADT,CNSR,EVNTDESC,CNSDTDSC,SRCDOM,SRCVAR,EVENT');
    const row = (p: string) => lines.find((l) => l.startsWith(`${trialId},${trialId}-${p},`))!.split(',');
    const col = (p: string, name: string) => row(p)[header.split(',').indexOf(name)];
    expect([col('P4', 'ADT'), col('P4', 'CNSR'), col('P4', 'SRCDOM')]).toEqual(['2008-12-24', '0', 'DeathAmended']);
    expect([col('P6', 'ADT'), col('P6', 'CNSR')]).toEqual(['2010-12-31', '1']);
    expect([col('P3', 'ADT'), col('P3', 'CNSR')]).toEqual(['2008-07-01', '2']);
    expect([col('P5', 'ADT'), col('P5', 'CNSR')]).toEqual(['2008-09-30', '3']);
    expect([col('P9', 'ADT'), col('P9', 'CNSR')]).toEqual(['2009-04-01', '4']);
    expect([col('P14', 'ADT'), col('P14', 'CNSR')]).toEqual(['2009-10-10', '0']);
    expect(lines).toHaveLength(14);
  });

  it('analyses with an administrative dataCutoff: censored there at the latest, later events ignored', async () => {
    const cutoff = '2009-03-31';
    const [header, ...lines] = (await (await get(`/trials/${trialId}/adtte.csv?dataCutoff=${cutoff}`, 'dsmb')).text()).trim().split('\n');
    const cols = header.split(',');
    const row = (p: string) => lines.find((l) => l.startsWith(`${trialId},${trialId}-${p},`))!.split(',');
    const col = (p: string, name: string) => row(p)[cols.indexOf(name)];
    expect(lines.every((l) => l.split(',')[cols.indexOf('ADT')] <= cutoff)).toBe(true);
    expect([col('P7', 'ADT'), col('P7', 'CNSR')]).toEqual([cutoff, '1']); // died 2009-06-06, after the cutoff
    expect([col('P14', 'ADT'), col('P14', 'CNSR')]).toEqual([cutoff, '1']); // died 2009-10-10
    expect([col('P4', 'ADT'), col('P4', 'CNSR')]).toEqual(['2008-12-24', '0']); // before it: still a death
    const dir = mkdtempSync(join(tmpdir(), 'adtte-cutoff-'));
    const file = join(dir, 'adtte.csv');
    writeFileSync(file, [header, ...lines].join('\n'));
    const cut = await json(`/trials/${trialId}/survival?dataCutoff=${cutoff}`, 'dsmb');
    const stats = JSON.parse(
      await run(process.execPath, [
        join(ROOT, 'bin/followup.js'),
        'stats',
        file,
        '--time',
        'AVAL',
        '--event',
        'EVENT',
        '--group',
        'TRTP',
        '--reference',
        'control',
        '--json',
      ]),
    ) as Json;
    expect(withoutMeta(cut)).toEqual(stats);
    expect(cut.events).toBe(lines.filter((l) => l.split(',')[cols.indexOf('CNSR')] === '0').length);
  });

  it('equals `followup stats` and R survival on the ADTTE export', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'adtte-'));
    const file = join(dir, 'adtte.csv');
    writeFileSync(file, await (await get(`/trials/${trialId}/adtte.csv`, 'dsmb')).text());
    const live = await json(`/trials/${trialId}/survival?at=365,730`, 'dsmb');
    const stats = JSON.parse(
      await run(process.execPath, [
        join(ROOT, 'bin/followup.js'),
        'stats',
        file,
        '--time',
        'AVAL',
        '--event',
        'EVENT',
        '--group',
        'TRTP',
        '--reference',
        'control',
        '--at',
        '365,730',
        '--json',
      ]),
    ) as Json;
    expect(withoutMeta(live)).toEqual(stats);
    const r = JSON.parse(await run('Rscript', [join(__dirname, 'readout', 'r-check.R'), file, 'control'])) as {
      coef: number;
      se: number;
      hr: number;
      lrChisq: number;
      waldChisq: number;
      km: Array<{ group: string; time: number[]; surv: number[]; nRisk: number[] }>;
    };
    const cox = live.cox as { terms: Array<{ coef: number; stdErr: number; hazardRatio: number }>; wald: { chiSquare: number } };
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
    expect(rel(cox.terms[0].coef, r.coef)).toBeLessThan(1e-6);
    expect(rel(cox.terms[0].stdErr, r.se)).toBeLessThan(1e-6);
    expect(rel(cox.terms[0].hazardRatio, r.hr)).toBeLessThan(1e-6);
    expect(rel(cox.wald.chiSquare, r.waldChisq)).toBeLessThan(1e-6);
    expect(rel((live.logRank as { chiSquare: number }).chiSquare, r.lrChisq)).toBeLessThan(1e-9);
    for (const g of r.km) {
      const ours = (live.groups as Array<{ group: string; km: Array<{ time: number; survival: number; nRisk: number }> }>).find(
        (x) => x.group === g.group,
      )!;
      expect(ours.km.map((k) => k.time)).toEqual([g.time].flat());
      expect(ours.km.map((k) => k.nRisk)).toEqual([g.nRisk].flat());
      [g.surv].flat().forEach((s, i) => expect(rel(ours.km[i].survival, s)).toBeLessThan(1e-9));
    }
    console.log(`HR ${cox.terms[0].hazardRatio} (R ${r.hr}); log-rank chi2 ${(live.logRank as { chiSquare: number }).chiSquare} (R ${r.lrChisq})`);
  });

  it('gives the monitor the pooled, blinded view only, and audits every DSMB read', async () => {
    const monitor = await json(`/trials/${trialId}/survival`, 'monitor');
    expect((monitor.groups as Json[]).map((g) => g.group)).toEqual(['all']);
    expect(monitor).toMatchObject({ logRank: null, cox: null, n: 14, events: 8 });
    const trial = await json(`/trials/${trialId}`, 'monitor');
    expect(trial).not.toHaveProperty('deathRates');
    expect(trial.accrual).not.toHaveProperty('byArm');
    expect((trial.atRisk as { groups: Json[] }).groups.map((g) => g.group)).toEqual(['all']);
    for (const path of ['interim', 'adtte.csv']) expect((await get(`/trials/${trialId}/${path}`, 'monitor')).status).toBe(403);
    expect((await get('/audit', 'monitor')).status).toBe(403);
    expect((await get(`/trials/${trialId}/survival`, 'reviewer')).status).toBe(403);
    expect((await get(`/trials/${trialId}/survival`)).status).toBe(401);
    expect((await get(`/trials/${trialId}/survival`, undefined, 'Bearer not.a.token')).status).toBe(401);
    expect(
      (await get(`/trials/${trialId}/survival`, undefined, `Bearer ${signToken('x'.repeat(40), { sub: 'm', role: 'dsmb', ttlSeconds: 60 })}`)).status,
    ).toBe(401);
    expect((await get('/trials/NO-SUCH-TRIAL/survival', 'dsmb')).status).toBe(404);
    expect((await get(`/trials/${trialId}/survival?confType=bogus`, 'dsmb')).status).toBe(400);

    const interim = await json(`/trials/${trialId}/interim`, 'dsmb');
    // No look taken: the current position, at the planned events, is the one (prospective) look.
    expect(interim).toMatchObject({ plannedEvents: 8, deaths: 8, informationFraction: 1, looksTaken: 0, prospective: true });
    expect((interim.looks as Json[]).map((l) => [l.info, l.taken, l.events])).toEqual([[1, true, 8]]);

    const audit = (await json(`/audit?trialId=${encodeURIComponent(trialId)}&limit=1000`, 'dsmb')) as unknown as Array<{
      sub: string;
      role: string;
      view: string;
    }>;
    expect(audit.every((a) => a.role === 'dsmb' && a.sub === 'dsmb-tester')).toBe(true);
    expect(new Set(audit.map((a) => a.view))).toEqual(new Set(['survival', 'adtte', 'interim']));
    const n = (await ds.query('select count(*)::int as n from audit_log where trial_id = $1', [trialId]))[0].n;
    expect(n).toBe(audit.length);
    await expect(ds.query('delete from audit_log where trial_id = $1', [trialId])).rejects.toThrow(/append-only/);
    console.log(`audit rows for ${trialId}: ${audit.length} (${[...new Set(audit.map((a) => a.view))].join(', ')})`);
  });

  it('streams read-out changes over SSE', async () => {
    const ctrl = new AbortController();
    const res = await fetch(`${api}/trials/${trialId}/stream`, { headers: { authorization: `Bearer ${token('monitor')}` }, signal: ctrl.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const frames: string[] = [];
    const next = async () => {
      for (;;) {
        const { value } = await reader.read();
        const text = new TextDecoder().decode(value);
        frames.push(text);
        if (text.includes('data:')) return text;
      }
    };
    expect(await next()).toContain('"groups":[{"group":"all"');
    await publish([{ v: 1, type: 'PatientSeenAlive', eventId: `${trialId}:seen-13`, trialId, patientId: 'P13', seenOn: '2009-05-05' }], []);
    expect(await next()).toContain(`"eventsApplied":${ev.earlyCount + ev.lateCount + 1}`);
    ctrl.abort();
  });

  it('rebuilds the trial from the log (replay) figure for figure', async () => {
    await settled(ev.earlyCount + ev.lateCount + 1);
    const before = await ds.query('select snapshot from rm_readouts where trial_id = $1', [trialId]);
    const liveSurvival = await json(`/trials/${trialId}/survival?at=100,400&tau=700`, 'dsmb');
    const report = await rebuild(ds, streamLog(kafka, topics), { trialId, now: () => new Date().toISOString() });
    console.log(`replay: ${JSON.stringify(report)}`);
    expect(report).toMatchObject({ trials: 1, patients: 14, changedPatients: 0 });
    const after = await ds.query('select snapshot from rm_readouts where trial_id = $1', [trialId]);
    expect(after[0].snapshot).toEqual(before[0].snapshot);
    const rebuilt = await json(`/trials/${trialId}/survival?at=100,400&tau=700`, 'dsmb');
    expect(withoutMeta(rebuilt)).toEqual(withoutMeta(liveSurvival));
    expect(rebuilt.eventsApplied).toBe(liveSurvival.eventsApplied);
    // The live projector carries on from the rebuilt state.
    await publish(
      [],
      [
        {
          v: 1,
          type: 'DeathLinked',
          eventId: `${trialId}:death-13`,
          trialId,
          patientId: 'P13',
          occurredAt: '2011-01-05T10:00:00Z',
          source: 'ONS',
          recordId: `${trialId}-D13`,
          version: 1,
          dateOfDeath: '2010-02-02',
          underlyingCause: null,
          evidence: { method: 'deterministic', modelVersion: 'test', weight: null, fields: {} },
        },
      ],
    );
    const after2 = await settled(ev.earlyCount + ev.lateCount + 2);
    expect(after2).toMatchObject({ deaths: 9 });
    void prefix;
  });
});
