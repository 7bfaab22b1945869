// `followup train`: a model from a cohort and an extract (the bench generator's, small), the
// summary on stderr, the same model twice, `link --model` taking it, and exit 2 on bad input.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { CliRun, runCli } from '../../../test/support/cli';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseModel } from '@trial/linkage';
import { register as registerLink } from '../src/commands/link';
import { register } from '../src/commands/train';
import { generate } from '../../../bench/linkage/generate';

const dir = mkdtempSync(join(tmpdir(), 'train-cli-'));
const files = generate({ seed: 5, patients: 1500, rows: 15_000, layout: 'ons', outDir: dir });
const cohort = files.cohortPath;
const extract = files.extractPath;
// Few samples and pair rows: quick, and still enough to estimate on.
const quick = ['--samples', '50000', '--pair-rows', '8000'];

const run = (args: string[]): Promise<CliRun> => runCli([register, registerLink], args);
// Each case trains (a few seconds each on a loaded 2-core machine): more than jest's default 5 s.
jest.setTimeout(60_000);

describe('followup train', () => {
  const modelPath = join(dir, 'model.json');
  let first = '';

  it('writes a valid model named by its content and prints what it estimated', async () => {
    const { out, err, code } = await run(['train', '--cohort', cohort, '--registry', extract, '--out', modelPath, ...quick]);
    expect(code).toBe(0);
    expect(out).toBe('');
    first = readFileSync(modelPath, 'utf8');
    const parsed = parseModel(first);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.model.version).toMatch(/^fs-em-[0-9a-f]{12}$/);
    expect(parsed.model.thresholds).toEqual({ link: 10, review: 0, closeMargin: 6 });
    expect(err).toMatch(/^followup train: 1500 patients .* valid ONS rows \(\d+ rejected\)/);
    expect(err).toMatch(/EM on same identifier \(\d+ pairs\) for dateOfBirth, sex, familyName, givenNames, postcode: \d+ iterations, converged/);
    expect(err).toMatch(/EM on all blocked pairs for λ: .* λ = /);
    expect(err).toMatch(/identifier\s+other\s+\S+\s+\S+\s+-\d+\.\d\d/);
    expect(err).toContain(`model ${parsed.model.version} written to ${modelPath}`);
  });

  it('gives the same model again, and another version for other thresholds or a given one', async () => {
    const again = join(dir, 'again.json');
    expect((await run(['train', '--cohort', cohort, '--registry', extract, '--out', again, ...quick])).code).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(first);
    const { out, code } = await run([
      'train',
      '--cohort',
      cohort,
      '--registry',
      extract,
      ...quick,
      '--link-threshold',
      '10',
      '--review-threshold',
      '-2',
      '--close-margin',
      '4',
      '--version',
      'site-7',
    ]);
    expect(code).toBe(0);
    const parsed = parseModel(out);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.model.version).toBe('site-7');
    expect(parsed.model.thresholds).toEqual({ link: 10, review: -2, closeMargin: 4 });
  });

  it('is taken by followup link --model', async () => {
    const { out, code } = await run(['link', '--cohort', cohort, '--registry', extract, '--model', modelPath]);
    expect(code).toBe(0);
    expect(out).toContain(`(model ${JSON.parse(first).version})`);
  });

  it('exits 2 with one line on stderr when it cannot train', async () => {
    const unrelated = join(dir, 'unrelated.csv');
    writeFileSync(
      unrelated,
      'trialId,patientId,arm,randomisedOn,nhsNumber,chiNumber,dateOfBirth,sex,familyName,givenNames,postcode\nT,X1,a,2008-01-01,,,,,,,\n',
    );
    for (const [args, message] of [
      [['--cohort', join(dir, 'missing.csv'), '--registry', extract], /cannot read cohort/],
      [['--cohort', cohort, '--registry', cohort], /cannot read registry extract .*neither the ONS nor the NRS layout/],
      [['--cohort', cohort, '--registry', extract, '--samples', '0'], /--samples must be a positive integer \(got '0'\)/],
      [['--cohort', cohort, '--registry', extract, '--seed', 'x'], /--seed must be an integer/],
      [
        ['--cohort', cohort, '--registry', extract, '--review-threshold', '20'],
        /--review-threshold must be a number not above the link threshold \(10\)/,
      ],
      [['--cohort', cohort, '--registry', extract, '--close-margin', '-1'], /--close-margin must be/],
      [['--cohort', unrelated, '--registry', extract], /no record shares a blocking key with any patient/],
      [['--cohort', cohort, '--registry', extract, ...quick, '--out', dir], /cannot write model/],
    ] as const) {
      const { err, code, out } = await run(['train', ...args]);
      expect([args, code]).toEqual([args, 2]);
      expect(out).toBe('');
      expect(err).toMatch(message);
      expect(err.startsWith('followup train: ')).toBe(true);
      expect(err.trim().split('\n')).toHaveLength(1);
    }
  });
});
