// The read-out's closed-report figures (libs/readmodel closedAnalysis) are
// exactly what `followup stats` gives on the trial's ADTTE export, rows of one PARAMCD, with
// EVENT as the cause code. Same functions on the same rows in the same order: equal, not close.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { TrialRegistered } from '@trial/contracts';
import { adamFiles, closedAnalysis, viewFor, analyse, TrialCohort, observationOf } from '@trial/readmodel';
import { design as base, followUp } from '../../../libs/readmodel/test/adam-fixtures';
import { runStats, toStatsOptions } from '../src/commands/stats';

const design: TrialRegistered = {
  ...base,
  subgroups: [
    { variable: 'sex', from: 'sex' },
    { variable: 'age75', from: 'age', cuts: [75] },
    { variable: 'region', from: 'stratum' },
  ],
};
const causes = ['I21.9', 'C34.1', 'I50.0', 'J18.9', null, 'I63.4'];
// A seeded spread of 90 patients: both arms, both sexes, ages either side of 75, two regions, deaths of six causes.
let seed = 7;
const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
const people = Array.from({ length: 90 }, (_, i) => {
  const day = 1 + Math.floor(rnd() * 1500);
  const dies = rnd() < 0.55;
  const on = new Date(Date.UTC(2006, 0, 1) + day * 86400000).toISOString().slice(0, 10);
  return followUp({
    id: `P${String(i).padStart(3, '0')}`,
    arm: rnd() < 0.5 ? 'IABP' : 'control',
    sex: rnd() < 0.4 ? 'F' : 'M',
    born: rnd() < 0.35 ? '1925-05-05' : '1945-05-05',
    region: rnd() < 0.5 ? 'London' : 'North',
    on: '2006-01-01',
    death: dies ? { on, cause: causes[Math.floor(rnd() * causes.length)] } : undefined,
  });
});

const dir = mkdtempSync(join(tmpdir(), 'stats-closed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function statsOn(paramcd: string): Record<string, unknown> {
  const text = Buffer.from(adamFiles('T1', design, people, new Date(0))['adtte.csv']).toString('utf8');
  const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
  const header = Object.keys(rows[0]);
  const lines = rows.filter((r) => r.PARAMCD === paramcd).map((r) => header.map((h) => JSON.stringify(r[h])).join(','));
  const file = join(dir, `${paramcd}.csv`);
  writeFileSync(file, `${header.join(',')}\n${lines.join('\n')}\n`);
  const raw = {
    time: 'AVAL',
    event: 'EVENT',
    group: 'TRTP',
    reference: 'control',
    ties: 'efron',
    confType: 'log',
    confLevel: '0.95',
    at: '365,1000',
    json: true,
    strata: 'REGION',
    subgroups: 'SEX,AGEGR1,REGION',
    ...(paramcd === 'ACM' ? {} : { cause: '1' }),
  };
  return JSON.parse(runStats(file, toStatsOptions(raw, true))) as Record<string, unknown>;
}

describe('closedAnalysis = followup stats on the ADTTE export', () => {
  const closed = closedAnalysis(design, people, { at: [365, 1000] });
  const names: Record<string, string> = { SEX: 'sex', AGEGR1: 'age75', REGION: 'region' };

  it('stratified and subgroups equal the CLI on ACM rows, and on CVDEATH rows (any code above 0 the event)', () => {
    for (const paramcd of ['ACM', 'CVDEATH']) {
      const cli = statsOn(paramcd) as { stratified: { strata: string[] }; subgroups: Array<{ variable: string }> };
      // The read-out names the plan's variables (region), the export its columns (REGION).
      expect(closed.byArm.stratified).toEqual({ ...cli.stratified, strata: cli.stratified.strata.map((s) => names[s]) });
      expect(closed.byArm.subgroups).toEqual(cli.subgroups.map((s) => ({ ...s, variable: names[s.variable] })));
    }
  });

  it("the CVDEATH competing-risks block equals the CLI's --cause 1", () => {
    const cli = statsOn('CVDEATH') as { competingRisks: unknown };
    expect(closed.byArm.endpoints.CVDEATH.competingRisks).toEqual(cli.competingRisks);
    expect(closed.byArm.endpoints.CVDEATH.competingRisks?.fineGray).not.toBeNull();
  });

  it('the pooled cut has no arm, no comparison, and its CIF is the pooled one', () => {
    const text = JSON.stringify(closed.pooled);
    expect(text).not.toMatch(/IABP|control|hazardRatio|chiSquare|"groups":\[\{"group":"(?!all)/);
    const cif = closed.pooled.endpoints.CVDEATH.competingRisks;
    expect(cif?.groups.map((g) => g.group)).toEqual(['all']);
    expect(cif?.gray).toBeNull();
    const n = closed.pooled.subgroups[0].levels.reduce((s, l) => s + l.n, 0);
    expect(n).toBe(people.length);
  });

  it('viewFor gives a monitor the pooled cut only and dsmb the by-arm one; none without a plan', () => {
    const analysis = { ...analyse(TrialCohort.of(people.map(observationOf)), { trialId: 'T1', design, eventsApplied: 1, dataComplete: {} }), closed };
    for (const role of ['monitor', 'DSMB', '']) {
      const v = viewFor(role, analysis);
      expect(v.closed).toBe(closed.pooled);
      expect(JSON.stringify(v)).not.toMatch(/IABP|control/);
    }
    expect(viewFor('dsmb', analysis).closed).toBe(closed.byArm);
    const v1 = analyse(TrialCohort.of(people.map(observationOf)), { trialId: 'T1', design, eventsApplied: 1, dataComplete: {} });
    expect('closed' in viewFor('dsmb', v1)).toBe(false);
    expect('closed' in viewFor('monitor', v1)).toBe(false);
  });
});
