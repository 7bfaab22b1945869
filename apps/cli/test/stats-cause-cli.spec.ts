// `followup stats --cause K` as the user runs it (contract stats-cli.md part 2): the event
// column holds 0 and positive integer codes; part 1's fields read any code above 0 as the
// event; `competingRisks` is added in the contract's shape with R's figures; a cause not in
// the data or a bad code exits 2 naming the file, line and column; without --cause nothing
// changes (event still 0/1).
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../test/support/cli';
import { register } from '../src/commands/stats';

const dir = mkdtempSync(join(tmpdir(), 'followup-cause-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const pbc = join(__dirname, '..', '..', '..', 'libs', 'survival', 'test', 'fixtures', 'cr-pbc.csv');

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runCli([register], args);
  return { code: r.code, stdout: r.out, stderr: r.err };
}

const near = (actual: number, expected: number, tol: number): void =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.abs(expected));

describe('followup stats --cause K', () => {
  test('adds competingRisks in the contract shape, with R figures (pbc, death with transplant competing)', async () => {
    const r = await run(['stats', pbc, '--cause', '2', '--at', '1000', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['confType', 'ties', 'n', 'events', 'groups', 'logRank', 'cox', 'followUp', 'competingRisks']);
    const cr = doc.competingRisks;
    expect(Object.keys(cr)).toEqual(['cause', 'causes', 'groups', 'gray', 'causeSpecificCox', 'fineGray']);
    expect(cr.cause).toBe(2);
    expect(cr.causes).toEqual([1, 2]);
    expect(cr.groups.map((g: { group: string }) => g.group)).toEqual(doc.groups.map((g: { group: string }) => g.group));
    expect(Object.keys(cr.groups[0])).toEqual(['group', 'events', 'cif', 'at']);
    // R: s <- summary(survfit(Surv(time, factor(status, c(0, 1, 2))) ~ 1, data = d[d$arm == 'dpca', ])); row 1, state 2
    expect(cr.groups[0].cif[0]).toEqual({
      time: 41,
      nRisk: 158,
      nEvent: 1,
      estimate: expect.any(Number),
      stdErr: expect.any(Number),
      lower: expect.any(Number),
      upper: expect.any(Number),
    });
    near(cr.groups[0].cif[0].estimate, 0.006329113924050633, 1e-9);
    near(cr.groups[0].cif[0].stdErr, 0.00630905329062677, 1e-9);
    near(cr.groups[0].cif[0].lower, 0.0008970968284313091, 1e-9);
    near(cr.groups[0].cif[0].upper, 0.04465257460965243, 1e-9);
    expect(cr.groups[0].events).toBe(65);
    // R: summary(fit, times = 1000)$pstate[, 3] for dpca
    expect(Object.keys(cr.groups[0].at[0])).toEqual(['time', 'estimate', 'stdErr', 'lower', 'upper']);
    near(cr.groups[0].at[0].estimate, 0.1459955098264853, 1e-9);
    // R: cmprsk::cuminc(d$time, d$status, d$arm, cencode = 0)$Tests['2', ]: stat 0.066593735360749, pv 0.796362438194159
    expect(cr.gray.df).toBe(1);
    near(cr.gray.chiSquare, 0.066593735360749, 1e-6);
    near(cr.gray.pValue, 0.796362438194159, 1e-6);
    // R: coxph(Surv(time, status == 2) ~ arm, data = d): coef -0.0572237706770175, se 0.179164787580678
    expect(cr.causeSpecificCox.reference).toBe('dpca');
    expect(Object.keys(cr.causeSpecificCox)).toEqual(['reference', 'ties', 'terms', 'likelihoodRatio', 'wald', 'score']);
    near(cr.causeSpecificCox.terms[0].coef, -0.0572237706770175, 1e-6);
    near(cr.causeSpecificCox.terms[0].stdErr, 0.179164787580678, 1e-6);
    // R: summary(coxph(Surv(fgstart, fgstop, fgstatus) ~ arm, weight = fgwt, data = finegray(..., etype = 2)))
    //    coef -0.0442538992658041, robust se 0.173837977901321, lower .95 0.680470998928096, upper .95 1.34509181755784
    expect(Object.keys(cr.fineGray)).toEqual(['reference', 'terms']);
    const fg = cr.fineGray.terms[0];
    expect(Object.keys(fg)).toEqual(['group', 'coef', 'stdErr', 'hazardRatio', 'lower', 'upper', 'z', 'pValue']);
    expect(fg.group).toBe('placebo');
    near(fg.coef, -0.0442538992658041, 1e-6);
    near(fg.stdErr, 0.173837977901321, 1e-6);
    near(fg.lower, 0.680470998928096, 1e-6);
    near(fg.upper, 1.34509181755784, 1e-6);
    near(fg.pValue, 0.799055386943523, 1e-6);
  });

  test('part 1 reads any code above 0 as the event', async () => {
    const allCause = readFileSync(pbc, 'utf8').replace(/^(\d+),2,/gm, '$1,1,');
    const withCause = JSON.parse((await run(['stats', pbc, '--cause', '1', '--at', '1000', '--json'])).stdout);
    const binary = JSON.parse((await run(['stats', file('binary.csv', allCause), '--at', '1000', '--json'])).stdout);
    const { competingRisks, ...part1 } = withCause;
    expect(competingRisks.cause).toBe(1);
    expect(part1).toEqual(binary);
    expect('competingRisks' in binary).toBe(false);
  });

  test('the human report adds the competing-risks section', async () => {
    const r = await run(['stats', pbc, '--cause', '2', '--at', '1000']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Competing risks: cause 2 \(causes 1, 2\)/);
    expect(r.stdout).toMatch(/Gray's test: chi-square = 0\.07 on 1 df, p = 0\.7964/);
    expect(r.stdout).toMatch(/Fine-Gray subdistribution hazards \(robust SE\), reference: dpca/);
  });

  const bad: Array<[string, string, string, string[], RegExp]> = [
    [
      'a cause not in the data',
      'absent',
      'time,status,arm\n1,1,a\n2,2,b\n3,0,b\n',
      ['--cause', '3'],
      /absent\.csv: line 1, column 2 \(status\): cause 3 does not occur in the event column; codes present: 1, 2/,
    ],
    [
      'a negative code',
      'negative',
      'time,status,arm\n1,1,a\n2,-1,b\n',
      ['--cause', '1'],
      /negative\.csv: line 3, column 2 \(status\): event '-1' must be 0 \(censored\) or a positive integer cause code/,
    ],
    [
      'a non-integer code',
      'non-integer',
      'arm,time,status\na,1,1\nb,2,1.5\n',
      ['--cause', '1'],
      /non-integer\.csv: line 3, column 3 \(status\): event '1\.5'/,
    ],
    [
      'a non-numeric code',
      'non-numeric',
      'time,status,arm\n1,1,a\n2,cv,b\n',
      ['--cause', '1'],
      /non-numeric\.csv: line 3, column 2 \(status\): event 'cv'/,
    ],
    [
      'a code above 1 without --cause',
      'without',
      'time,status,arm\n1,1,a\n2,2,b\n',
      [],
      /without\.csv: line 3, column 2 \(status\): event '2' must be 1 \(event\) or 0/,
    ],
  ];
  test.each(bad)('%s exits 2 naming the file, line and column', async (_name, slug, text, extra, message) => {
    const r = await run(['stats', file(`${slug}.csv`, text), ...extra, '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  test('without a group column: one group "all", no comparison', async () => {
    const r = await run(['stats', file('one.csv', 'time,status\n1,1\n2,2\n3,0\n4,1\n'), '--cause', '1', '--json']);
    const cr = JSON.parse(r.stdout).competingRisks;
    expect(cr.groups.map((g: { group: string }) => g.group)).toEqual(['all']);
    // By hand: F(1) = 1/4, F(2) = 1/4 (a competing death), F(4) = 1/4 + S(4-) 1/1 = 3/4.
    expect(cr.groups[0].cif.map((c: { estimate: number }) => c.estimate)).toEqual([0.25, 0.25, 0.75]);
    expect([cr.gray, cr.causeSpecificCox, cr.fineGray]).toEqual([null, null, null]);
  });

  test('a group without an event of the cause exits 2, as part 1 does for Cox', async () => {
    const r = await run(['stats', file('nocause.csv', 'time,status,arm\n1,1,a\n2,2,b\n3,0,b\n4,1,a\n'), '--cause', '1']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/nocause\.csv: line 1, column 1: cause-specific Cox model for cause 1: group 'b' has no events/);
  });

  test('a bad --cause value exits 2', async () => {
    for (const k of ['0', '-1', '1.5', 'cv']) {
      const r = await run(['stats', pbc, '--cause', k]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/--cause must be a positive integer event code/);
    }
  });
});
