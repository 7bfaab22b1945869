/**
 * `npm run bench:linkage`: linkage quality and speed on the data of two independent generators.
 *
 * - g2 (generate.ts, the data the shipped model was trained on): a 100,000-patient cohort and a
 *   1,000,000-row ONS extract.
 * - uk2 (generate-uk2.ts, never trained on): a 4,000-patient trial and a 40,000-row registry of
 *   deaths nationally, once in the ONS layout and once in the NRS (CHI) layout.
 *
 * Each data set is generated once and cached under the OS temp dir (the directory name holds
 * the generator's version). It runs the same `runLink` as `followup link` and prints, one block
 * a data set: precision of automatic links, recall of automatic links and with review, review
 * rate, malformed rows rejected / valid rows rejected, rows/s; then a JSON line of the same
 * figures (`{"bench":"linkage",...}`, one a data set, for tests and scripts to parse). The
 * machine is printed once, first.
 *
 * Flags: --generator g2|uk2 (default both); --layout ons|nrs (default: ONS for g2, both for
 * uk2); --seed N (42); --patients N --rows N (default: each generator's own sizes); --dir DIR to
 * measure files already generated there (`generate.js --out DIR`, or `generate-uk2.js --out DIR`
 * with --generator uk2, for the extract date; layout from the header); --model FILE to measure a stored model
 * (e.g. one written by `followup train`) instead of the built-in one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLink } from '../../apps/cli/src/commands/link';
import { LinkageModel, parseModel } from '@trial/linkage';
import { generate, generatorVersion } from './generate';
import { generateUk2, uk2Defaults, uk2ExtractedOn, uk2Version } from './generate-uk2';
import { Figures, parseTruth, tally } from './score';
import { arg } from './args';

type Generator = 'g2' | 'uk2';
type Layout = 'ons' | 'nrs';

interface DataSet {
  generator: Generator;
  layout: Layout;
  seed: number;
  patients: number;
  rows: number;
  dir: string;
  /** Files given with --dir rather than generated here. */
  given: boolean;
  extractedOn: string;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`--${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** The data sets the flags ask for, in the order they are measured. */
function dataSets(): DataSet[] {
  const seed = Number(arg('seed', '42'));
  const generatorArg = arg('generator', '');
  const layoutArg = arg('layout', '');
  const given = arg('dir', '');
  // Files given with --dir are one data set: g2's unless --generator says otherwise.
  const generators: Generator[] = generatorArg ? [oneOf('generator', generatorArg, ['g2', 'uk2'] as const)] : given ? ['g2'] : ['g2', 'uk2'];
  const out: DataSet[] = [];
  for (const generator of generators) {
    const layouts: Layout[] = layoutArg
      ? [oneOf('layout', layoutArg, ['ons', 'nrs'] as const)]
      : given
        ? [layoutOfExtract(join(given, 'extract.csv'))]
        : generator === 'g2'
          ? ['ons']
          : ['ons', 'nrs'];
    const patients = Number(arg('patients', String(generator === 'g2' ? 100_000 : uk2Defaults.patients)));
    const rows = Number(arg('rows', String(generator === 'g2' ? 1_000_000 : uk2Defaults.rows)));
    for (const layout of layouts) {
      const version = generator === 'g2' ? `g${generatorVersion}` : `uk2v${uk2Version}`;
      const dir = given || join(tmpdir(), `trial-followup-linkage-${version}-${layout}-${seed}-${patients}-${rows}`);
      out.push({
        generator,
        layout,
        seed,
        patients,
        rows,
        dir,
        given: given !== '',
        extractedOn: generator === 'g2' ? '2011-10-02' : uk2ExtractedOn,
      });
    }
  }
  return out;
}

/** The layout of an extract by its header (NRS starts with ENTRY_ID); ONS when it cannot be read, and runLink will say why. */
function layoutOfExtract(path: string): Layout {
  try {
    return readFileSync(path, 'utf8')
      .slice(0, 200)
      .replace(/^\uFEFF/, '')
      .trim()
      .toUpperCase()
      .startsWith('ENTRY_ID')
      ? 'nrs'
      : 'ons';
  } catch {
    return 'ons';
  }
}

function ensureFiles(d: DataSet): void {
  if (existsSync(join(d.dir, 'truth.csv'))) return;
  if (d.given) throw new Error(`${d.dir} has no truth.csv (write it with generate.js or generate-uk2.js --out ${d.dir})`);
  process.stdout.write(
    `generating ${d.generator} ${d.layout.toUpperCase()}: ${d.patients} patients and ${d.rows} rows (seed ${d.seed}) in ${d.dir}\n`,
  );
  if (d.generator === 'g2') generate({ seed: d.seed, patients: d.patients, rows: d.rows, layout: d.layout, outDir: d.dir });
  else generateUk2({ seed: d.seed, patients: d.patients, rows: d.rows, layout: d.layout, outDir: d.dir });
}

async function measure(d: DataSet, model: LinkageModel | undefined): Promise<void> {
  ensureFiles(d);
  const score = tally(parseTruth(readFileSync(join(d.dir, 'truth.csv'), 'utf8')));
  const started = process.hrtime.bigint();
  const summary = await runLink(
    { cohort: join(d.dir, 'cohort.csv'), registry: join(d.dir, 'extract.csv'), model, extractedOn: d.extractedOn },
    (row) => score.add(row),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const f: Figures = score.figures();
  const x = (n: number): string => n.toFixed(4);
  const rowsPerSecond = Math.round(f.rows / seconds);
  const layout = d.layout.toUpperCase();
  process.stdout.write(
    [
      `linkage benchmark [${d.generator} ${layout}]: ${summary.patients} patients, ${f.rows} ${layout} rows, ${d.given ? `data ${d.dir}` : `seed ${d.seed}`}, model ${summary.modelVersion}`,
      `precision (automatic links)  ${x(f.precision)}  (${f.linkedRight}/${f.linked})`,
      `recall (automatic links)     ${x(f.recall)}  (${f.linkedRight}/${f.matches})`,
      `recall (links + review)      ${x(f.recallWithReview)}`,
      `review rate                  ${x(f.reviewRate)}  (${f.review}/${f.rows})`,
      `malformed rows rejected      ${f.malformedRejected}/${f.malformed}; valid rows rejected ${f.validRejected}`,
      `throughput                   ${rowsPerSecond} rows/s (${seconds.toFixed(1)} s, cohort load included)`,
      ...(f.rows !== f.truthRows ? [`WARNING: ${f.rows} decisions for ${f.truthRows} rows of truth`] : []),
      JSON.stringify({
        bench: 'linkage',
        generator: d.generator,
        layout: d.layout,
        seed: d.given ? null : d.seed,
        dir: d.given ? d.dir : null,
        patients: summary.patients,
        model: summary.modelVersion,
        ...f,
        rowsPerSecond,
        seconds: Number(seconds.toFixed(2)),
      }),
      '',
      '',
    ].join('\n'),
  );
}

async function main(): Promise<void> {
  const sets = dataSets();
  const modelPath = arg('model', '');
  let model: LinkageModel | undefined;
  if (modelPath) {
    const parsed = parseModel(readFileSync(modelPath, 'utf8'));
    if (!parsed.ok) throw new Error(`model ${modelPath} is invalid: ${parsed.reason}`);
    model = parsed.model;
  }
  const cpu = cpus();
  process.stdout.write(`machine: ${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, node ${process.version}\n\n`);
  for (const d of sets) await measure(d, model);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:linkage: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
