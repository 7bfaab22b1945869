// `followup stats` and `followup boundaries` as the user runs them: each bad input exits 2 with
// one line naming the file, line and column, and nothing on stdout. The commands are driven
// in-process through commander (the same register() main.ts wires), plus one spawn of the
// built bin when dist/ exists.
import { spawnSync } from 'node:child_process';
import { runCli } from '../../../test/support/cli';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register as registerStats } from '../src/commands/stats';
import { register as registerBoundaries } from '../src/commands/boundaries';

const root = join(__dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'followup-stats-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runCli([registerStats, registerBoundaries], args);
  return { code: r.code, stdout: r.out, stderr: r.err };
}

const good = 'time,status,arm\n5,1,control\n8,0,control\n12,1,control\n3,1,IABP\n9,0,IABP\n15,0,IABP\n20,1,IABP\n';

describe('followup stats: bad input exits 2 with file, line and column', () => {
  const cases: Array<[string, string, string[], RegExp]> = [
    ['missing column', 'time,arm\n1,a\n2,b\n', [], /missing\.csv: line 1, column 3 \(status\): missing event column 'status'/],
    ['missing --group column', 'time,status\n1,1\n2,0\n', ['--group', 'trt'], /line 1, column 3 \(trt\): missing group column 'trt'/],
    ['negative time', 'time,status,arm\n1,1,a\n\n-3,0,b\n', [], /negative\.csv: line 4, column 1 \(time\): time -3 is negative/],
    ['non-numeric time', 'time,status,arm\n1,1,a\nsoon,0,b\n', [], /line 3, column 1 \(time\): time 'soon' is not a number/],
    ['event not 0/1', 'arm,time,status\na,1,1\nb,2,2\n', [], /line 3, column 3 \(status\): event '2' must be 1 \(event\) or 0 \(censored\)/],
    ['empty file', '', [], /empty\.csv: line 1, column 1: empty file/],
    ['header only', 'time,status,arm\n', [], /line 2, column 1: no data rows/],
    [
      'one group with a comparison asked for',
      'time,status,arm\n1,1,a\n2,0,a\n',
      [],
      /line 1, column 3 \(arm\): only one group \('a'\); a comparison needs at least two groups/,
    ],
    ['--reference without groups', 'time,status\n1,1\n2,0\n', ['--reference', 'a'], /--reference needs a group column/],
  ];
  test.each(cases)('%s', async (name, text, extra, message) => {
    const slug = name.split(' ')[0].replace(/[^a-z-]/g, '');
    const path = file(`${slug}.csv`, text);
    const r = await run(['stats', path, ...extra]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  test('a group without events for Cox', async () => {
    const r = await run(['stats', file('noevents.csv', 'time,status,arm\n1,1,a\n2,0,b\n3,0,b\n'), '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/group 'b' has no events/);
  });

  test('bad option values', async () => {
    const path = file('good.csv', good);
    for (const args of [
      ['--conf-level', '1.5'],
      ['--ties', 'exact'],
      ['--conf-type', 'logit'],
      ['--at', '3,x'],
    ]) {
      const r = await run(['stats', path, ...args]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
    }
  });
});

describe('followup stats: output', () => {
  test('--json prints exactly one JSON document in the contract shape', async () => {
    const r = await run(['stats', file('good.csv', good), '--json', '--reference', 'control', '--at', '6', '--tau', '15']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['confType', 'ties', 'n', 'events', 'groups', 'logRank', 'cox', 'followUp']);
    expect(doc.groups.map((g: { group: string }) => g.group)).toEqual(['control', 'IABP']);
    expect(Object.keys(doc.groups[0])).toEqual(['group', 'n', 'events', 'km', 'median', 'at', 'rmst']);
    expect(doc.cox.reference).toBe('control');
    expect(doc.followUp.method).toBe('reverse-km');
  });

  test('without a group column: one group "all", logRank and cox null, no rmst without --tau', async () => {
    const r = await run(['stats', file('one.csv', 'time,status\n1,1\n2,0\n3,1\n'), '--json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.groups.map((g: { group: string }) => g.group)).toEqual(['all']);
    expect(doc.logRank).toBeNull();
    expect(doc.cox).toBeNull();
    expect('rmst' in doc.groups[0]).toBe(false);
  });

  test('the human report is a tidy table', async () => {
    const r = await run(['stats', file('good.csv', good), '--at', '6,12']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^group\s+n\s+events\s+median \(95% CI\)\s+S\(6\) \(95% CI\)/m);
    expect(r.stdout).toMatch(/Log-rank test: chi-square = \d+\.\d\d on 1 df, p = /);
    expect(r.stdout).toMatch(/Median follow-up \(reverse Kaplan-Meier\)/);
  });
});

describe('followup boundaries', () => {
  test('--json matches the contract example', async () => {
    const r = await run(['boundaries', '--info', '0.5,0.75,1', '--json']);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ spending: 'obrien-fleming', alpha: 0.05, sided: 2 });
    expect(doc.looks.map((l: { z: number }) => Number(l.z.toFixed(6)))).toEqual([2.962588, 2.359018, 2.014084]);
  });
  test('bad information fractions exit 2', async () => {
    for (const info of ['0.5,0.4,1', '0.5,1.2', 'half']) {
      const r = await run(['boundaries', '--info', info]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^followup boundaries: /);
    }
  });
  // rpact: getDesignGroupSequential(kMax = 2, alpha = 0.5, ...) stops: 'alpha' (0.5) is out of bounds [1e-06; 0.5);
  // kMax = 21: 'kMax' (21) is out of bounds [1; 20].
  test.each([
    ['an alpha of 0.5', ['--info', '0.5,1', '--alpha', '0.5'], /--alpha must be at least 1e-6 and below 0.5 \(rpact's range\), got 0.5/],
    ['an alpha below 1e-6', ['--info', '0.5,1', '--alpha', '1e-7'], /--alpha must be at least 1e-6/],
    ['21 looks', ['--info', Array.from({ length: 21 }, (_, i) => String((i + 1) / 21)).join(',')], /--info gives 21 looks; a design has at most 20/],
  ])('what rpact refuses exits 2 naming the option: %s', async (_what, args, message) => {
    const r = await run(['boundaries', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
  test('a look no z can reject reads "none" in the table (null in the JSON)', async () => {
    // rpact: getDesignGroupSequential(kMax = 3, alpha = 0.01, sided = 1, informationRates = c(0.01, 0.5, 1),
    //   typeOfDesign = 'asOF')$criticalValues[1] is Inf.
    const r = await run(['boundaries', '--info', '0.01,0.5,1', '--alpha', '0.01', '--sided', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/Infinity/);
    expect(r.stdout).toMatch(/ none /);
  });
});

const built = existsSync(join(root, 'dist', 'apps', 'cli', 'src', 'main.js'));
(built ? describe : describe.skip)('the built bin (node bin/followup.js)', () => {
  test('exit 2 and one line for a negative time; JSON for good input', () => {
    const bad = spawnSync('node', [join(root, 'bin', 'followup.js'), 'stats', file('neg.csv', 'time,status\n-1,1\n')], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/neg\.csv: line 2, column 1 \(time\)/);
    const ok = spawnSync('node', [join(root, 'bin', 'followup.js'), 'stats', file('good.csv', good), '--json'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).n).toBe(7);
  });
});
