// `followup stats --strata / --subgroups` as the user runs it (contract stats-cli.md part 2):
// the JSON adds `stratified` and `subgroups` after the part-1 fields, in the contract's shape,
// with R's numbers (strata-reference.ts: the R calls beside each value; Cox and interaction
// to 1e-6 relative, counts exactly); bad input exits 2 with one line naming file, line, column.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../test/support/cli';
import { arr, Mismatches } from '../../../libs/survival/test/helpers';
import { StrataChecker } from '../../../libs/survival/test/strata-check';
import { Deviations } from '../../../libs/survival/test/strata-helpers';
import { strataCases } from '../../../libs/survival/test/strata-reference';
import { register as registerStats } from '../src/commands/stats';

const COX_TOL = 1e-6;
const LOGRANK_TOL = 1e-9;
const root = join(__dirname, '..', '..', '..');
const fixtures = join(root, 'libs', 'survival', 'test', 'fixtures');
const dir = mkdtempSync(join(tmpdir(), 'followup-strata-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const run = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  const r = await runCli([registerStats], args);
  return { code: r.code, stdout: r.out, stderr: r.err };
};

const small = 'time,status,arm,site,sex\n1,1,a,s1,F\n2,1,a,s2,M\n3,0,a,s1,M\n4,1,b,s1,F\n5,1,b,s2,M\n6,0,b,s2,F\n7,1,a,s2,F\n8,1,b,s1,M\n';

describe('followup stats --strata --subgroups: JSON', () => {
  // Case 0 of strata-reference.ts: colon (deaths), rx with Obs as reference, strata(differ, node4).
  const rc = strataCases[0];

  test("colon: the contract shape and R survival's numbers", async () => {
    const args = [
      'stats',
      join(fixtures, 'strata-colon.csv'),
      '--json',
      '--reference',
      'Obs',
      '--strata',
      'differ,node4',
      '--subgroups',
      'sex,node4,age65,extent',
    ];
    const r = await run(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['confType', 'ties', 'n', 'events', 'groups', 'logRank', 'cox', 'followUp', 'stratified', 'subgroups']);
    expect(Object.keys(doc.stratified)).toEqual(['strata', 'logRank', 'cox']);
    expect(Object.keys(doc.stratified.cox)).toEqual(['reference', 'ties', 'terms', 'likelihoodRatio', 'wald', 'score']);
    expect(doc.stratified.strata).toEqual(['differ', 'node4']);
    expect(doc.subgroups.map((s: { variable: string }) => s.variable)).toEqual(['sex', 'node4', 'age65', 'extent']);
    expect(Object.keys(doc.subgroups[0])).toEqual(['variable', 'interaction', 'levels']);
    expect(Object.keys(doc.subgroups[0].levels[0])).toEqual(['level', 'n', 'events', 'groups', 'cox']);
    expect(Object.keys(doc.subgroups[0].levels[0].cox)).toEqual(['terms']);
    expect(doc.subgroups[3].levels.map((l: { level: string }) => l.level)).toEqual(['1', '2', '3', '4']);

    const m = new Mismatches();
    // survdiff(Surv(time, status) ~ arm + strata(differ, node4), data = d)
    m.close('stratified.logRank.chiSquare', doc.stratified.logRank.chiSquare, rc.stratified.logRank.chiSquare, LOGRANK_TOL);
    m.exact('stratified.logRank.df', doc.stratified.logRank.df, 2);
    // coxph(Surv(time, status) ~ arm + strata(differ, node4), data = d, ties = 'efron')
    arr(rc.stratified.cox.terms.coef).forEach((coef, i) => {
      m.exact(`terms[${i}].group`, doc.stratified.cox.terms[i].group, arr(rc.stratified.cox.terms.group)[i]);
      m.close(`terms[${i}].coef`, doc.stratified.cox.terms[i].coef, coef, COX_TOL);
      m.close(`terms[${i}].stdErr`, doc.stratified.cox.terms[i].stdErr, arr(rc.stratified.cox.terms.stdErr)[i], COX_TOL);
    });
    for (const t of ['likelihoodRatio', 'wald', 'score'] as const) {
      m.close(`stratified.cox.${t}`, doc.stratified.cox[t].chiSquare, rc.stratified.cox[t].chiSquare, COX_TOL);
    }
    rc.subgroups.forEach((rs, si) => {
      // anova(coxph(Surv(time, status) ~ arm + COL), coxph(Surv(time, status) ~ arm * COL))
      m.close(`subgroups[${si}].interaction.chiSquare`, doc.subgroups[si].interaction.chiSquare, rs.interaction.chiSquare, COX_TOL);
      m.exact(`subgroups[${si}].interaction.df`, doc.subgroups[si].interaction.df, rs.interaction.df);
      m.close(`subgroups[${si}].interaction.pValue`, doc.subgroups[si].interaction.pValue, rs.interaction.pValue, COX_TOL);
      rs.levels.forEach((rl, li) => {
        const l = doc.subgroups[si].levels[li];
        m.exact(`subgroups[${si}].levels[${li}].n`, l.n, rl.n);
        m.exact(`subgroups[${si}].levels[${li}].events`, l.events, rl.events);
        m.exact(`subgroups[${si}].levels[${li}].groups.n`, l.groups.map((g: { n: number }) => g.n).join(','), arr(rl.groups.n).join(','));
        // coxph(Surv(time, status) ~ arm, subset = COL == level)
        m.close(`subgroups[${si}].levels[${li}].cox.coef`, l.cox.terms[1].coef, arr(rl.cox.terms.coef)[1], COX_TOL);
      });
    });
    expect(m.list).toEqual([]);
  });

  // Every case of strata-reference.ts through the command: the whole of `stratified` and
  // `subgroups` against R (the R calls are beside each case there).
  test.each(strataCases.map((c, i) => [`${c.name} #${i} ${c.options.ties}`, c] as const))('R case %s, every figure', async (_label, c) => {
    const strata = arr(c.options.strata as string | string[] | null);
    const subgroups = arr(c.options.subgroups as string | string[] | null);
    const args = [
      'stats',
      join(fixtures, `strata-${c.name}.csv`),
      '--json',
      '--reference',
      c.options.reference,
      '--ties',
      c.options.ties,
      '--conf-level',
      String(c.options.confLevel),
    ];
    if (strata.length > 0) args.push('--strata', strata.join(','));
    if (subgroups.length > 0) args.push('--subgroups', subgroups.join(','));
    const r = await run(args);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    const check = new StrataChecker(new Deviations());
    check.stratified(doc.stratified, c);
    check.subgroups(doc.subgroups, c);
    expect(check.m.list).toEqual([]);
    expect('subgroups' in doc).toBe(subgroups.length > 0);
  });

  test('part-1 fields are unchanged by the options; a level without events in one arm has cox null', async () => {
    const path = file('small.csv', small);
    const plain = JSON.parse((await run(['stats', path, '--json'])).stdout);
    const doc = JSON.parse((await run(['stats', path, '--json', '--strata', 'site', '--subgroups', 'sex'])).stdout);
    for (const k of Object.keys(plain)) expect(doc[k]).toEqual(plain[k]);
    const withNull = JSON.parse((await run(['stats', file('null.csv', `${small}9,0,b,s3,F\n`), '--json', '--subgroups', 'site'])).stdout);
    expect(withNull.subgroups[0].levels[2]).toEqual({
      level: 's3',
      n: 1,
      events: 0,
      groups: [
        { group: 'a', n: 0, events: 0 },
        { group: 'b', n: 1, events: 0 },
      ],
      cox: null,
    });
  });

  test('the text report has a stratified and a subgroup section', async () => {
    const r = await run(['stats', file('small.csv', small), '--strata', 'site', '--subgroups', 'sex']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Stratified by site:$/m);
    expect(r.stdout).toMatch(/^ {2}Log-rank test: chi-square = \d+\.\d\d on 1 df/m);
    expect(r.stdout).toMatch(/^Subgroups by sex: interaction chi-square = \d+\.\d\d on 1 df, p = /m);
    expect(r.stdout).toMatch(/^ {2}sex = F: n = 4, events a 2\/2, b 1\/2; b HR /m);
  });
});

describe('followup stats --strata --subgroups: bad input exits 2 with one line', () => {
  const cases: Array<[string, string, string[], RegExp]> = [
    [
      'missing strata column',
      small,
      ['--strata', 'region'],
      /missing-strata-column\.csv: line 1, column 6 \(region\): missing strata column 'region'/,
    ],
    ['missing subgroup column', small, ['--subgroups', 'sex,age'], /line 1, column 6 \(age\): missing subgroup column 'age'/],
    [
      'empty stratum value',
      'time,status,arm,site\n1,1,a,s1\n2,1,b,\n',
      ['--strata', 'site'],
      /empty-stratum-value\.csv: line 3, column 4 \(site\): missing value of 'site'/,
    ],
    [
      'no group column',
      'time,status,site\n1,1,s1\n2,1,s2\n',
      ['--strata', 'site'],
      /line 1, column 4 \(arm\): --strata and --subgroups compare groups/,
    ],
    [
      'groups apart in every stratum',
      'time,status,arm,site\n1,1,a,s1\n5,1,a,s1\n3,0,a,s2\n4,1,b,s2\n2,1,b,s3\n6,0,b,s3\n',
      ['--strata', 'site'],
      /apart-in-every-stratum\.csv: line 1, column 1: the groups cannot be compared within strata of site/,
    ],
    ['an empty name', small, ['--strata', 'site,,sex'], /^followup stats: --strata: an empty column name/],
    ['a name twice', small, ['--subgroups', 'sex,sex'], /^followup stats: --subgroups: column 'sex' is named twice/],
  ];
  test.each(cases)('%s', async (name, text, extra, message) => {
    const r = await run(['stats', file(`${name.replace(/ /g, '-')}.csv`, text), '--json', ...extra]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});

const built = existsSync(join(root, 'dist', 'apps', 'cli', 'src', 'main.js'));
(built ? describe : describe.skip)('the built bin (node bin/followup.js) with --strata --subgroups', () => {
  test('JSON with stratified and subgroups; exit 2 and one line for a missing strata column', () => {
    const bin = join(root, 'bin', 'followup.js');
    const ok = spawnSync('node', [bin, 'stats', file('bin.csv', small), '--json', '--strata', 'site', '--subgroups', 'sex'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    const doc = JSON.parse(ok.stdout);
    expect(doc.stratified.strata).toEqual(['site']);
    expect(doc.subgroups[0].variable).toBe('sex');
    const bad = spawnSync('node', [bin, 'stats', file('bin.csv', small), '--strata', 'region'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^.*bin\.csv: line 1, column 6 \(region\): missing strata column 'region'.*\n$/);
  });
});
