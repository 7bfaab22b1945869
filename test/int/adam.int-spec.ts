import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { INestApplication } from '@nestjs/common';
import { parse } from 'csv-parse/sync';
import { unzipSync } from 'fflate';
import { Producer } from 'kafkajs';
import { apiModule } from '../../apps/api/src/app.module';
import { PROJECTOR_CONCURRENCY, projectorModule } from '../../apps/projector/src/app.module';
import { enrollmentKey, noPlans, outcomeKey, type EnrollmentEvent, type OutcomeEvent, type TopicNames } from '@trial/contracts';
import { signToken } from '@trial/auth';
import { eventually, KAFKA_BROKERS, privateDatabase, privateTopics, startInProcess, testConfig, testKafka, uniqueId } from '../support';
import { nhs } from './readout/trial';

const run = async (file: string, args: string[]): Promise<string> =>
  (await promisify(execFile)(file, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })).stdout;
const SECRET = 'test-secret-test-secret-test-secret-0123';
const ROOT = join(__dirname, '..', '..');
type Row = Record<string, string>;

/**
 * Issue 15, item 4 through the real broker and database: a v2 trial (region strata, CVDEATH),
 * deaths of several causes, a cause recoded by an amendment and a death cancelled; GET
 * /trials/:id/adam gives the dsmb one zip of ADSL and ADTTE as CSV and XPT, audited, and R on
 * its XPT ADTTE reproduces the API's survival read-out.
 */
describe('ADaM package (projector + API, real Kafka and Postgres)', () => {
  const kafka = testKafka();
  const trialId = uniqueId('ADAM');
  const ev = (id: string) => `${trialId}:${id}`;
  let topics: TopicNames;
  let prefix: string;
  let drop: () => Promise<void>;
  let producer: Producer;
  const apps: INestApplication[] = [];
  let api = '';
  const db = privateDatabase(trialId);
  const get = (path: string, role: 'dsmb' | 'monitor') =>
    fetch(`${api}${path}`, { headers: { authorization: `Bearer ${signToken(SECRET, { sub: `${role}-adam`, role, ttlSeconds: 600 })}` } });

  const registered: EnrollmentEvent = {
    v: 2, type: 'TrialRegistered', ...noPlans(), eventId: ev('reg'), trialId, title: 'ADaM suite', arms: ['control', 'IABP'], referenceArm: 'control',
    plannedEvents: 20, alpha: 0.05, sided: 2, looks: [1], spending: 'obrien-fleming', stratificationFactors: ['region'],
    subgroups: [{ variable: 'sex', from: 'sex' }, { variable: 'age75', from: 'age', cuts: [75] }],
    endpoints: [{ code: 'CVDEATH', name: 'Cardiovascular death', icd10: [{ from: 'I00', to: 'I99' }] }],
  };
  const N = 40;
  const randomised = (i: number): EnrollmentEvent => ({
    v: 2, type: 'PatientRandomised', eventId: ev(`r${i}`), trialId, patientId: `P${String(i).padStart(2, '0')}`, arm: i % 2 ? 'IABP' : 'control',
    randomisedOn: `2007-${String((i % 12) + 1).padStart(2, '0')}-1${i % 10}`, site: i % 3 ? 'KCH' : 'BHI', nhsNumber: nhs(1000 + i), chiNumber: null,
    dateOfBirth: `19${30 + (i % 20)}-06-01`, sex: i % 4 ? 'M' : 'F', familyName: 'Test', givenNames: 'Patient', postcode: null,
    strata: { region: ['London', 'North'][i % 2 === 0 ? (i >> 1) % 2 : i % 2] }, covariates: {},
  });
  const causes = ['I21.9', 'C34.1', 'I50.0', 'J18.9', null];
  const outcome = (type: string, i: number, id: string) =>
    ({ v: 1 as const, type, eventId: ev(id), trialId, patientId: `P${String(i).padStart(2, '0')}`, occurredAt: '2011-01-05T10:00:00Z' });
  const ref = (i: number, version: number) => ({ source: 'ONS' as const, recordId: `${trialId}-D${i}`, version });
  const dying = Array.from({ length: N }, (_, k) => k + 1).filter((i) => i % 5 === 0 || i % 7 === 0 || i % 3 === 1);
  const outcomes: OutcomeEvent[] = [
    ...dying.map((i): OutcomeEvent => ({
      ...outcome('DeathLinked', i, `d${i}`), type: 'DeathLinked', ...ref(i, 1), dateOfDeath: `2009-0${(i % 9) + 1}-0${(i % 9) + 1}`,
      underlyingCause: causes[i % causes.length], evidence: { method: 'deterministic', modelVersion: 't', weight: null, fields: {} },
    })),
    // P01's death was registered as lung cancer (causes[1]); the amendment recodes it to a myocardial infarction.
    { ...outcome('DeathAmended', 1, 'a1'), type: 'DeathAmended', ...ref(1, 2), dateOfDeath: '2009-02-02', underlyingCause: 'I21.0' },
    { ...outcome('DeathWithdrawn', 4, 'w4'), type: 'DeathWithdrawn', ...ref(4, 2), reason: 'cancelled' },
    { v: 1, type: 'RegistryExtractCompleted', eventId: ev('ons'), occurredAt: '2011-01-05T10:00:00Z', source: 'ONS', completeUpTo: '2010-12-31' },
  ];

  beforeAll(async () => {
    await db.create();
    ({ topics, prefix, drop } = await privateTopics(kafka, 'adam'));
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    apps.push((await startInProcess(projectorModule, testConfig(prefix, { DATABASE_URL: db.url }), `projector-${trialId}`,
      { partitionsConsumedConcurrently: PROJECTOR_CONCURRENCY })).app);
    const a = await startInProcess(apiModule, testConfig(prefix, { DATABASE_URL: db.url }));
    apps.push(a.app);
    api = a.url;
    const enrolments = [registered, ...Array.from({ length: N }, (_, k) => randomised(k + 1))];
    const messages = enrolments.map((e) => ({ key: enrollmentKey(e), value: JSON.stringify(e) }));
    await producer.send({ topic: topics.enrollments, acks: -1, messages });
    await producer.send({ topic: topics.outcomes, acks: -1, messages: outcomes.map((e) => ({ key: outcomeKey(e), value: JSON.stringify(e) })) });
    await eventually(async () => {
      const r = await get(`/trials/${trialId}`, 'monitor');
      const body = r.status === 200 ? ((await r.json()) as { eventsApplied: number }) : null;
      return body?.eventsApplied === enrolments.length + outcomes.length - 1 ? body : undefined;
    }, 'every event applied', 60_000);
  });

  const scratch = mkdtempSync(join(tmpdir(), 'adam-int-'));
  afterAll(async () => {
    rmSync(scratch, { recursive: true, force: true });
    for (const a of apps.reverse()) await a.close();
    await producer?.disconnect();
    await drop?.();
    await db.drop();
  });

  let files: Record<string, Uint8Array> = {};
  const csv = (name: string): Row[] => parse(Buffer.from(files[name]), { columns: true }) as Row[];

  it('gives the dsmb one zip of ADSL and ADTTE as CSV and XPT, and audits the read', async () => {
    const r = await get(`/trials/${trialId}/adam`, 'dsmb');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/application\/zip/);
    expect(r.headers.get('content-disposition')).toMatch(/attachment; filename=".*-adam\.zip"/);
    // Unblinded data: never kept by a cache on the way.
    expect(r.headers.get('cache-control')).toBe('no-store');
    files = unzipSync(new Uint8Array(await r.arrayBuffer()));
    expect(Object.keys(files).sort()).toEqual(['adsl.csv', 'adsl.xpt', 'adtte.csv', 'adtte.xpt']);
    const audit = (await (await get(`/audit?trialId=${encodeURIComponent(trialId)}`, 'dsmb')).json()) as Array<{ view: string; sub: string }>;
    expect(audit.find((a) => a.view === 'adam')).toMatchObject({ sub: 'dsmb-adam' });
  });

  it('refuses a monitor (blinded) and an unknown trial', async () => {
    expect((await get(`/trials/${trialId}/adam`, 'monitor')).status).toBe(403);
    expect((await get(`/trials/${trialId}-nope/adam`, 'dsmb')).status).toBe(404);
  });

  it('holds the amended cause and not the cancelled death, in ADSL and in the endpoint', () => {
    const adsl = csv('adsl.csv');
    expect(adsl).toHaveLength(N);
    expect(adsl.find((p) => p.SUBJID === 'P01')).toMatchObject({ DTHFL: 'Y', DTHDT: '2009-02-02', DTHCAUS: 'I21.0', REGION: 'North' });
    expect(adsl.find((p) => p.SUBJID === 'P04')).toMatchObject({ DTHFL: '', DTHCAUS: '', LSTALVDT: '2010-12-31' });
    const cv = csv('adtte.csv').filter((x) => x.PARAMCD === 'CVDEATH');
    expect(cv.find((x) => x.SUBJID === 'P01')).toMatchObject({ CNSR: '0', EVNTDESC: 'CARDIOVASCULAR DEATH', EVENT: '1' });
    // P13 died of pneumonia (J18.9), P14's registration gives no cause: both compete with CV death.
    for (const id of ['P13', 'P14']) {
      expect(cv.find((x) => x.SUBJID === id)).toMatchObject({ CNSR: '5', CNSDTDSC: 'DEATH FROM OTHER CAUSE', EVENT: '2' });
    }
    expect(cv.find((x) => x.SUBJID === 'P04')).toMatchObject({ CNSR: '1', EVENT: '0' });
    expect(cv.filter((x) => x.CNSR === '0').length).toBeGreaterThan(0);
  });

  it('R reads the XPT files to the CSV\'s values, and survival on the XPT ADTTE gives the API\'s read-out', async () => {
    const dir = mkdtempSync(join(scratch, 'api-'));
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
    const r = JSON.parse(await run('Rscript', [join(ROOT, 'libs', 'readmodel', 'test', 'adam-roundtrip.R'), dir])) as {
      adsl: { mismatched: string[] }; adtte: { mismatched: string[] }; acm: { logRank: number; coef: number; stdErr: number; events: number[] };
    };
    expect(r.adsl.mismatched).toEqual([]);
    expect(r.adtte.mismatched).toEqual([]);
    const readout = (await (await get(`/trials/${trialId}/survival`, 'dsmb')).json()) as {
      groups: Array<{ events: number }>; logRank: { chiSquare: number }; cox: { terms: Array<{ coef: number; stdErr: number }> };
    };
    expect(readout.groups.map((g) => g.events)).toEqual(r.acm.events);
    expect(Math.abs(readout.logRank.chiSquare - r.acm.logRank)).toBeLessThan(1e-9 * r.acm.logRank);
    expect(Math.abs(readout.cox.terms[0].coef - r.acm.coef)).toBeLessThan(1e-6 * Math.abs(r.acm.coef));
    expect(Math.abs(readout.cox.terms[0].stdErr - r.acm.stdErr)).toBeLessThan(1e-6 * r.acm.stdErr);
  });

  it('followup stats on the package\'s ACM rows gives what R gives on its XPT', async () => {
    const dir = mkdtempSync(join(scratch, 'stats-'));
    const lines = Buffer.from(files['adtte.csv']).toString('utf8').trimEnd().split('\n');
    const paramcd = lines[0].split(',').indexOf('PARAMCD');
    writeFileSync(join(dir, 'acm.csv'), `${[lines[0], ...lines.slice(1).filter((l) => l.split(',')[paramcd] === 'ACM')].join('\n')}\n`);
    const cli = ['test/support/run-ts.js', 'apps/cli/src/main.ts', 'stats', join(dir, 'acm.csv'),
      '--time', 'AVAL', '--event', 'EVENT', '--group', 'TRTP', '--reference', 'control', '--json'];
    const stats = JSON.parse((await promisify(execFile)(process.execPath, cli, { cwd: ROOT, encoding: 'utf8' })).stdout) as {
      groups: Array<{ events: number }>; logRank: { chiSquare: number }; cox: { terms: Array<{ coef: number; stdErr: number }> };
    };
    writeFileSync(join(dir, 'adtte.xpt'), files['adtte.xpt']);
    writeFileSync(join(dir, 'adtte.csv'), files['adtte.csv']);
    for (const f of ['adsl.xpt', 'adsl.csv']) writeFileSync(join(dir, f), files[f]);
    const r = JSON.parse(await run('Rscript', [join(ROOT, 'libs', 'readmodel', 'test', 'adam-roundtrip.R'), dir])) as {
      acm: { logRank: number; coef: number; stdErr: number; events: number[] };
    };
    expect(stats.groups.map((g) => g.events)).toEqual(r.acm.events);
    expect(Math.abs(stats.logRank.chiSquare - r.acm.logRank)).toBeLessThan(1e-9 * r.acm.logRank);
    expect(Math.abs(stats.cox.terms[0].coef - r.acm.coef)).toBeLessThan(1e-6 * Math.abs(r.acm.coef));
    expect(Math.abs(stats.cox.terms[0].stdErr - r.acm.stdErr)).toBeLessThan(1e-6 * r.acm.stdErr);
  });

  it('followup adam writes the same package from the read store, and audits it', async () => {
    const out = join(mkdtempSync(join(scratch, 'cli-')), 'pkg.zip');
    const args = [join(ROOT, 'test/support/run-ts.js'), 'apps/cli/src/main.ts', 'adam', '--trial', trialId, '--out', out];
    const stdout = await promisify(execFile)(process.execPath, args, {
      cwd: ROOT, encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: db.url, KAFKA_BROKERS, TOPIC_PREFIX: prefix, AUTH_SECRET: SECRET, LOG_LEVEL: 'error' },
    });
    expect(stdout.stdout).toMatch(/40 patients/);
    const cli = unzipSync(new Uint8Array(readFileSync(out)));
    // The CSVs are the API's byte for byte; the XPT files differ only in their creation stamps.
    for (const name of ['adsl.csv', 'adtte.csv']) expect(Buffer.from(cli[name]).equals(Buffer.from(files[name]))).toBe(true);
    expect(cli['adtte.xpt'].length).toBe(files['adtte.xpt'].length);
    const audit = (await (await get(`/audit?trialId=${encodeURIComponent(trialId)}`, 'dsmb')).json()) as Array<{ view: string; sub: string }>;
    expect(audit.filter((a) => a.view === 'adam').map((a) => a.sub).sort()).toEqual(['dsmb-adam', 'followup-cli']);
  });
});
