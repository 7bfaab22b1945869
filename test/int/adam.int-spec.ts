import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { unzipSync } from 'fflate';
import { KAFKA_BROKERS } from '../support';
import { closedTrial, SECRET } from './readout/closed-trial';

const run = async (file: string, args: string[]): Promise<string> =>
  (await promisify(execFile)(file, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })).stdout;
const ROOT = join(__dirname, '..', '..');
type Row = Record<string, string>;

/**
 * The ADaM package through the real broker and database: a v2 trial (region strata, CVDEATH),
 * deaths of several causes, a cause recoded by an amendment and a death cancelled; GET
 * /trials/:id/adam gives the dsmb one zip of ADSL and ADTTE as CSV and XPT, audited, and R on
 * its XPT ADTTE reproduces the API's survival read-out.
 */
describe('ADaM package (projector + API, real Kafka and Postgres)', () => {
  const t = closedTrial('adam', 40, [
    { variable: 'sex', from: 'sex' },
    { variable: 'age75', from: 'age', cuts: [75] },
  ]);
  const { trialId, get, scratch } = t;

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
    expect(adsl).toHaveLength(t.patients);
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

  it("R reads the XPT files to the CSV's values, and survival on the XPT ADTTE gives the API's read-out", async () => {
    const dir = mkdtempSync(join(scratch, 'api-'));
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
    const r = JSON.parse(await run('Rscript', [join(ROOT, 'libs', 'readmodel', 'test', 'adam-roundtrip.R'), dir])) as {
      adsl: { mismatched: string[] };
      adtte: { mismatched: string[] };
      acm: { logRank: number; coef: number; stdErr: number; events: number[] };
    };
    expect(r.adsl.mismatched).toEqual([]);
    expect(r.adtte.mismatched).toEqual([]);
    const readout = (await (await get(`/trials/${trialId}/survival`, 'dsmb')).json()) as {
      groups: Array<{ events: number }>;
      logRank: { chiSquare: number };
      cox: { terms: Array<{ coef: number; stdErr: number }> };
    };
    expect(readout.groups.map((g) => g.events)).toEqual(r.acm.events);
    expect(Math.abs(readout.logRank.chiSquare - r.acm.logRank)).toBeLessThan(1e-9 * r.acm.logRank);
    expect(Math.abs(readout.cox.terms[0].coef - r.acm.coef)).toBeLessThan(1e-6 * Math.abs(r.acm.coef));
    expect(Math.abs(readout.cox.terms[0].stdErr - r.acm.stdErr)).toBeLessThan(1e-6 * r.acm.stdErr);
  });

  it("followup stats on the package's ACM rows gives what R gives on its XPT", async () => {
    const dir = mkdtempSync(join(scratch, 'stats-'));
    const lines = Buffer.from(files['adtte.csv']).toString('utf8').trimEnd().split('\n');
    const paramcd = lines[0].split(',').indexOf('PARAMCD');
    writeFileSync(join(dir, 'acm.csv'), `${[lines[0], ...lines.slice(1).filter((l) => l.split(',')[paramcd] === 'ACM')].join('\n')}\n`);
    const cli = [
      'test/support/run-ts.js',
      'apps/cli/src/main.ts',
      'stats',
      join(dir, 'acm.csv'),
      '--time',
      'AVAL',
      '--event',
      'EVENT',
      '--group',
      'TRTP',
      '--reference',
      'control',
      '--json',
    ];
    const stats = JSON.parse((await promisify(execFile)(process.execPath, cli, { cwd: ROOT, encoding: 'utf8' })).stdout) as {
      groups: Array<{ events: number }>;
      logRank: { chiSquare: number };
      cox: { terms: Array<{ coef: number; stdErr: number }> };
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
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        NODE_ENV: 'test',
        DATABASE_URL: t.databaseUrl,
        KAFKA_BROKERS,
        TOPIC_PREFIX: t.prefix,
        AUTH_SECRET: SECRET,
        LOG_LEVEL: 'error',
      },
    });
    expect(stdout.stdout).toMatch(/40 patients/);
    const cli = unzipSync(new Uint8Array(readFileSync(out)));
    // The CSVs are the API's byte for byte; the XPT files differ only in their creation stamps.
    for (const name of ['adsl.csv', 'adtte.csv']) expect(Buffer.from(cli[name]).equals(Buffer.from(files[name]))).toBe(true);
    expect(cli['adtte.xpt'].length).toBe(files['adtte.xpt'].length);
    const audit = (await (await get(`/audit?trialId=${encodeURIComponent(trialId)}`, 'dsmb')).json()) as Array<{ view: string; sub: string }>;
    expect(
      audit
        .filter((a) => a.view === 'adam')
        .map((a) => a.sub)
        .sort(),
    ).toEqual(['dsmb-adam', 'followup-cli']);
  });
});
