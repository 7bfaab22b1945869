import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { unzipSync } from 'fflate';
import Library from 'xport-js';
import { computeReadout, SurvivalTable } from '@trial/survival';
import type { FollowUp } from '@trial/followup';
import { adamZip, analyse, observationOf, sasDate, TrialCohort } from '../src';
import { design, followUp, type Person } from './adam-fixtures';

// R (haven) and xport-js read the package's XPT files back to the CSV's
// values, and survival on the XPT ADTTE gives the read-out's figures. R runs asynchronously
// (adam-roundtrip.R), one process for the whole file.
const run = promisify(execFile);

/** 240 patients from a fixed LCG: deaths of cardiovascular, other and unrecorded causes, and survivors. */
function cohort(): FollowUp[] {
  let x = 12345;
  const next = (): number => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const day = (from: string, span: number): string => new Date(Date.parse(from) + Math.floor(next() * span) * 86_400_000).toISOString().slice(0, 10);
  const causes = ['I21.9', 'I50.0', 'I63.9', 'C34.1', 'J18.9', null];
  return Array.from({ length: 240 }, (_, i): FollowUp => {
    const arm = i % 2 ? 'IABP' : 'control';
    const on = day('2005-12-01', 900);
    const p: Person = {
      id: `P${String(i + 1).padStart(3, '0')}`,
      arm,
      on,
      born: day('1925-01-01', 9000),
      sex: next() < 0.3 ? 'F' : 'M',
      region: ['London', 'North', 'Scotland'][i % 3],
    };
    if (next() < (arm === 'IABP' ? 0.28 : 0.4)) p.death = { on: day(on, 1500), cause: causes[Math.floor(next() * causes.length)] };
    return followUp(p);
  });
}

interface RSide {
  adsl: { rows: number; mismatched: string[]; labels: Record<string, string | null>; dates: string[] };
  adtte: { rows: number; mismatched: string[]; labels: Record<string, string | null>; dates: string[] };
  acm: {
    km: Array<{ group: string; time: number; survival: number; stdErr: number }>;
    logRank: number;
    coef: number;
    stdErr: number;
    events: number[];
  };
  cvdeath: { coef: number; stdErr: number; events: number[]; competing: number[] };
}

describe('the ADaM package read back by R and xport-js', () => {
  const followUps = cohort();
  const dir = mkdtempSync(join(tmpdir(), 'adam-'));
  const files = unzipSync(adamZip('T1', design, followUps, new Date('2011-10-03T09:00:00Z')));
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  let r: RSide;

  beforeAll(async () => {
    const { stdout } = await run('Rscript', [join(__dirname, 'adam-roundtrip.R'), dir], { maxBuffer: 64 * 1024 * 1024 });
    r = JSON.parse(stdout) as RSide;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("haven reads each XPT to the CSV's values, with the dates as dates and every variable labelled", () => {
    expect(r.adsl).toMatchObject({ rows: 240, mismatched: [] });
    expect(r.adtte).toMatchObject({ rows: 480, mismatched: [] });
    expect(r.adsl.dates).toEqual(['RANDDT', 'DTHDT', 'LSTALVDT']);
    expect(r.adtte.dates).toEqual(['STARTDT', 'ADT']);
    expect(r.adsl.labels).toMatchObject({ DTHCAUS: 'Cause of Death (ICD-10 Underlying Cause)', REGION: 'Stratum at Randomization: region' });
    expect(Object.values(r.adtte.labels).every((l) => typeof l === 'string' && l.length > 0)).toBe(true);
  });

  it("survfit, survdiff and coxph on the XPT ADTTE give the read-out's figures (ACM)", () => {
    const analysis = analyse(TrialCohort.of(followUps.map(observationOf)), { trialId: 'T1', design, eventsApplied: 0, dataComplete: {} });
    if (!analysis.byArm.ok) throw new Error(analysis.byArm.error.message);
    const ours = analysis.byArm.value;
    expect(ours.groups.map((g) => g.events)).toEqual(r.acm.events);
    expect(ours.logRank?.chiSquare).toBeCloseTo(r.acm.logRank, 9);
    const term = ours.cox?.terms[0];
    expect(Math.abs((term?.coef ?? NaN) - r.acm.coef)).toBeLessThan(1e-6 * Math.abs(r.acm.coef));
    expect(Math.abs((term?.stdErr ?? NaN) - r.acm.stdErr)).toBeLessThan(1e-6 * r.acm.stdErr);
    const km = ours.groups.flatMap((g) => g.km.map((k) => ({ group: g.group, time: k.time, survival: k.survival })));
    expect(km).toHaveLength(r.acm.km.length);
    km.forEach((k, i) => {
      expect(k.group).toBe(r.acm.km[i].group);
      expect(k.time).toBe(r.acm.km[i].time);
      expect(Math.abs(k.survival - r.acm.km[i].survival)).toBeLessThan(1e-9);
    });
  });

  it("the cause-specific coxph on CVDEATH gives the survival library's Cox on the endpoint's events", () => {
    const rows = parse(readFileSync(join(dir, 'adtte.csv')), { columns: true }) as Array<Record<string, string>>;
    const groups = new Map([
      ['control', new SurvivalTable()],
      ['IABP', new SurvivalTable()],
    ]);
    for (const row of rows.filter((x) => x.PARAMCD === 'CVDEATH')) groups.get(row.TRTP)?.add(Number(row.AVAL), row.EVENT === '1' ? 1 : 0);
    const ours = computeReadout(groups, { reference: 'control', ties: 'efron' });
    expect(ours.groups.map((g) => g.events)).toEqual(r.cvdeath.events);
    expect(r.cvdeath.competing.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const term = ours.cox?.terms[0];
    expect(Math.abs((term?.coef ?? NaN) - r.cvdeath.coef)).toBeLessThan(1e-6 * Math.abs(r.cvdeath.coef));
    expect(Math.abs((term?.stdErr ?? NaN) - r.cvdeath.stdErr)).toBeLessThan(1e-6 * r.cvdeath.stdErr);
  });

  it("xport-js reads each XPT to the CSV's values", async () => {
    for (const name of ['adsl', 'adtte']) {
      const csv = parse(readFileSync(join(dir, `${name}.csv`)), { columns: true }) as Array<Record<string, string>>;
      const lib = new Library(join(dir, `${name}.xpt`));
      const meta = (await lib.getMetadata()) as Array<{ name: string; label: string; format?: string }>;
      expect(meta.every((m) => m.label.length > 0)).toBe(true);
      const dates = new Set(meta.filter((m) => m.format === 'DATE9.').map((m) => m.name));
      const got: Array<Record<string, string | number | null>> = [];
      for await (const obs of lib.read({ rowFormat: 'object', skipHeader: true })) got.push(obs as Record<string, string | number | null>);
      expect(got).toHaveLength(csv.length);
      got.forEach((row, i) => {
        for (const [k, v] of Object.entries(csv[i])) {
          const x = row[k];
          if (dates.has(k)) expect(x).toBe(v === '' ? null : sasDate(v));
          else if (typeof x === 'number' || x === null) expect(x).toBe(v === '' ? null : Number(v));
          else expect(String(x).trimEnd()).toBe(v);
        }
      });
    }
  });
});
