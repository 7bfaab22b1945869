/**
 * `npm run bench:linkage`: linkage quality and speed on the seeded generator's data.
 * Generates (once, cached under the OS temp dir) a 100,000-patient cohort and a 1,000,000-row
 * ONS extract with ground truth (generate.ts), runs the same `runLink` as `followup link`, and
 * prints precision of automatic links, recall, review rate, rejects and rows/s with the machine.
 * Flags: --seed N --patients N --rows N --layout ons|nrs; --dir DIR to use files already
 * generated there (`generate.js --out DIR`) instead of the cache; --model FILE to measure a
 * stored model (e.g. one written by `followup train`) instead of the built-in one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLink } from '../../apps/cli/src/commands/link';
import { LinkageModel, parseModel } from '@trial/linkage';
import { generate, generatorVersion } from './generate';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const seed = Number(arg('seed', '42'));
  const patients = Number(arg('patients', '100000'));
  const rows = Number(arg('rows', '1000000'));
  const layout = arg('layout', 'ons') === 'nrs' ? 'nrs' : 'ons';
  const given = arg('dir', '');
  const dir = given || join(tmpdir(), `trial-followup-linkage-g${generatorVersion}-${layout}-${seed}-${patients}-${rows}`);
  const modelPath = arg('model', '');
  let model: LinkageModel | undefined;
  if (modelPath) {
    const parsed = parseModel(readFileSync(modelPath, 'utf8'));
    if (!parsed.ok) throw new Error(`model ${modelPath} is invalid: ${parsed.reason}`);
    model = parsed.model;
  }
  if (given && !existsSync(join(dir, 'truth.csv'))) throw new Error(`${dir} has no truth.csv (write it with generate.js --out ${dir})`);
  if (!existsSync(join(dir, 'truth.csv'))) {
    process.stdout.write(`generating ${patients} patients and ${rows} rows (seed ${seed}) in ${dir}\n`);
    generate({ seed, patients, rows, layout, outDir: dir });
  }
  const truthLines = readFileSync(join(dir, 'truth.csv'), 'utf8').split('\n');
  const truePatient: string[] = [];
  const expected: string[] = [];
  for (let i = 1; i < truthLines.length; i++) {
    const t = truthLines[i];
    if (!t) continue;
    const [line, pid, exp] = t.split(',');
    truePatient[Number(line)] = pid;
    expected[Number(line)] = exp;
  }
  let linked = 0, linkedRight = 0, review = 0, matches = 0, reviewOfMatches = 0, total = 0;
  let malformed = 0, malformedRejected = 0, validRejected = 0;
  for (const e of expected) {
    if (e === 'match') matches++;
    if (e === 'malformed') malformed++;
  }
  const started = process.hrtime.bigint();
  const summary = await runLink({ cohort: join(dir, 'cohort.csv'), registry: join(dir, 'extract.csv'), model, extractedOn: '2011-10-02' }, (row) => {
    total++;
    const exp = expected[row.line];
    switch (row.decision) {
      case 'rejected':
        if (exp === 'malformed') malformedRejected++;
        else validRejected++;
        break;
      case 'linked':
        linked++;
        if (exp === 'match' && truePatient[row.line] === row.patientId) linkedRight++;
        break;
      case 'review':
        review++;
        if (exp === 'match' && truePatient[row.line] === row.patientId) reviewOfMatches++;
        break;
      case 'unlinked':
        break;
      default: {
        const never: never = row.decision;
        throw new Error(`unknown decision ${String(never)}`);
      }
    }
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = cpus();
  const f = (x: number): string => x.toFixed(4);
  process.stdout.write([
    `linkage benchmark: ${summary.patients} patients, ${total} ${layout.toUpperCase()} rows, ${given ? `data ${dir}` : `seed ${seed}`}, model ${summary.modelVersion}`,
    `machine: ${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, node ${process.version}`,
    `precision (automatic links)  ${f(linked ? linkedRight / linked : 1)}  (${linkedRight}/${linked})`,
    `recall (automatic links)     ${f(matches ? linkedRight / matches : 1)}  (${linkedRight}/${matches})`,
    `recall (links + review)      ${f(matches ? (linkedRight + reviewOfMatches) / matches : 1)}`,
    `review rate                  ${f(total ? review / total : 0)}  (${review}/${total})`,
    `malformed rows rejected      ${malformedRejected}/${malformed}; valid rows rejected ${validRejected}`,
    `throughput                   ${Math.round(total / seconds)} rows/s (${seconds.toFixed(1)} s, cohort load included)`,
    '',
  ].join('\n'));
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:linkage: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
