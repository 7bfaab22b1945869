// `followup train`: estimates a linkage model from a cohort and a registry extract (u by
// random sampling, m by EM, term frequencies of family names) and writes it as JSON, the format
// `followup link --model` and the linkage service's lk_models table take. The training itself
// is @trial/linkage's (train.ts); this file reads the files and prints.
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import {
  TrainReport,
  TrainingCollector,
  TrainingError,
  compileModel,
  defaultModel,
  fieldLevels,
  fieldNames,
  serialiseModel,
  trainFrom,
} from '@trial/linkage';
import { Layout } from '@trial/registry';
import { extractReadError, readCohort, readExtract } from './link';
import { exitOnUsageError, UsageError } from '../usage';

export interface TrainCommandOptions {
  cohort: string;
  registry: string;
  layout?: Layout;
  version?: string;
  samples: number;
  seed: number;
  /** Records kept for u by random sampling (reservoir). */
  sampleRecords: number;
  /** About how many records' blocked pairs to count (a seeded sample when the extract is longer). */
  pairRows: number;
  thresholds: { link: number; review: number; closeMargin: number };
}

export interface TrainRun {
  report: TrainReport;
  /** The share of rows whose blocked pairs were counted. */
  pairFraction: number;
  skippedPatients: number;
  rejectedRows: number;
  layout: Layout | null;
}

/** Reads both files as streams (valid rows only, the others counted) and trains. */
export async function runTrain(options: TrainCommandOptions): Promise<TrainRun> {
  // The sampling rate needs the row count up front: the file's lines, counted first (cheap).
  let lines: number;
  try {
    lines = await countLines(options.registry);
  } catch (e) {
    throw extractReadError(options.registry, e) ?? e;
  }
  const pairFraction = Math.min(1, options.pairRows / Math.max(1, lines - 1));
  const collector = new TrainingCollector({ seed: options.seed, sampleRecords: options.sampleRecords, pairFraction });
  let skippedPatients = 0;
  for await (const patient of readCohort(options.cohort, () => skippedPatients++)) collector.addPatient(patient);
  let rejectedRows = 0;
  let layout: Layout | null = null;
  try {
    // The extract date is stamped on records but plays no part in training.
    for await (const result of readExtract(options.registry, { layout: options.layout, extractedOn: '1970-01-01' })) {
      layout = result.layout;
      if (result.ok) collector.addRecord(result.record);
      else rejectedRows++;
    }
  } catch (e) {
    throw extractReadError(options.registry, e) ?? e;
  }
  let report: TrainReport;
  try {
    report = trainFrom(collector, { version: options.version, samples: options.samples, seed: options.seed, thresholds: options.thresholds });
  } catch (e) {
    if (e instanceof TrainingError) throw new UsageError(`cannot train on ${options.cohort} and ${options.registry}: ${e.message}`);
    throw e;
  }
  return { report, pairFraction, skippedPatients, rejectedRows, layout };
}

/** Newlines in a file (its rows plus the header, give or take a last line without one). */
async function countLines(path: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) n++;
  }
  return n;
}

const sci = (x: number): string => (x >= 0.001 ? x.toFixed(4) : x.toExponential(2));

/** The human summary (stderr): data, EM, and each level's m, u and weight (log2 m/u). */
export function formatTrainSummary(run: TrainRun, seconds: number, out: string | null): string {
  const { report } = run;
  const { model, em, counts } = report;
  const cm = compileModel(model);
  const lines = [
    `followup train: ${counts.patients} patients (${run.skippedPatients} rows without a patientId, ` +
      `${counts.duplicatePatients} repeated ids skipped), ` +
      `${counts.records} valid ${run.layout ? run.layout.toUpperCase() : ''} rows (${run.rejectedRows} rejected)`,
    `  blocked pairs of ${counts.pairRecords} rows${run.pairFraction < 1 ? ` (a ${(100 * run.pairFraction).toFixed(1)}% sample)` : ''}: ` +
      `${counts.blockedPairs} of ${report.allPairs.toExponential(3)} pairs, ${report.patterns} distinct patterns; ` +
      `${counts.recordsWithoutCandidates} rows with no candidate`,
    `  u: ${report.samples} random pairs from ${report.sampledRecords} sampled rows × all patients`,
  ];
  for (const s of report.sessions) {
    const e = s.em;
    lines.push(
      `  EM on ${s.name} (${s.pairs} pairs) for ${s.estimated.join(', ')}: ` +
        (e
          ? `${e.iterations} iterations, ${e.converged ? 'converged' : 'NOT converged'}, ${Math.round(e.matches)} expected matches`
          : 'no pairs: estimated on all blocked pairs'),
    );
  }
  lines.push(
    `  EM on all blocked pairs for λ: ${em.iterations} iterations, ${em.converged ? 'converged' : 'NOT converged'}; ` +
      `λ = ${model.prior.toExponential(3)} ` +
      `(${Math.round(em.matches)} expected matches; prior weight ${cm.priorWeight.toFixed(2)} bits)`,
    `  ${'field'.padEnd(12)} ${'level'.padEnd(10)} ${'m'.padStart(10)} ${'u'.padStart(10)} ${'weight'.padStart(8)}`,
  );
  for (const f of fieldNames) {
    for (const l of fieldLevels[f]) {
      if (l === 'absent') continue;
      const p = model.fields[f][l];
      lines.push(`  ${f.padEnd(12)} ${l.padEnd(10)} ${sci(p.m).padStart(10)} ${sci(p.u).padStart(10)} ${cm.weights[f][l].toFixed(2).padStart(8)}`);
    }
  }
  const t = model.thresholds;
  lines.push(
    `  family-name term frequencies: ${Object.keys(model.termFrequencies.familyName).length} names`,
    `  thresholds: link ${t.link}, review ${t.review}, close margin ${t.closeMargin}`,
    `  model ${model.version}${out ? ` written to ${out}` : ' on stdout'} (${seconds.toFixed(1)} s)`,
    '',
  );
  return lines.join('\n');
}

/** A numeric option's value, or a UsageError naming the option. */
function numberOption(name: string, raw: string | undefined, fallback: number, check: (x: number) => boolean, what: string): number {
  if (raw === undefined) return fallback;
  const x = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(x) || !check(x)) throw new UsageError(`${name} must be ${what} (got '${raw}')`);
  return x;
}

interface RawOptions {
  cohort: string;
  registry: string;
  layout?: Layout;
  out?: string;
  version?: string;
  samples?: string;
  seed?: string;
  sampleRecords?: string;
  pairRows?: string;
  linkThreshold?: string;
  reviewThreshold?: string;
  closeMargin?: string;
}

/** Defaults of the sampling options. */
export const trainDefaults = { samples: 2_000_000, seed: 42, sampleRecords: 50_000, pairRows: 250_000 } as const;

export function register(program: Command): void {
  const t = defaultModel.thresholds;
  const d = trainDefaults;
  program
    .command('train')
    .description('estimate a linkage model (u by random sampling, m by EM) from a cohort and a registry extract')
    .requiredOption('--cohort <file>', 'cohort CSV, one randomised patient a row (link-cli.md)')
    .requiredOption('--registry <file>', 'registry extract CSV in the ONS or NRS layout')
    .addOption(new Option('--layout <layout>', 'extract layout (default: guessed from the header)').choices(['ons', 'nrs']))
    .option('--out <file>', 'write the model JSON here (default: stdout)')
    .option('--version <version>', 'the model version (default: fs-em-<hash of the content>)')
    .option('--samples <n>', 'random (record, patient) pairs for u', String(d.samples))
    .option('--seed <n>', 'seed of the random sampling', String(d.seed))
    .option('--sample-records <n>', 'registry rows kept (uniform reservoir) to draw the random pairs from', String(d.sampleRecords))
    .option('--pair-rows <n>', 'compare the blocked pairs of about this many rows (a seeded sample of a longer extract)', String(d.pairRows))
    .option('--link-threshold <bits>', 'match weight at or above which a record links', String(t.link))
    .option('--review-threshold <bits>', 'match weight at or above which a record goes to review', String(t.review))
    .option('--close-margin <bits>', 'a runner-up within this many bits of the best sends the record to review', String(t.closeMargin))
    .action(async (opts: RawOptions) => {
      const started = process.hrtime.bigint();
      try {
        const positiveInt = (x: number): boolean => Number.isInteger(x) && x >= 1;
        const link = numberOption('--link-threshold', opts.linkThreshold, t.link, () => true, 'a number');
        const review = numberOption(
          '--review-threshold',
          opts.reviewThreshold,
          t.review,
          (x) => x <= link,
          `a number not above the link threshold (${link})`,
        );
        const options: TrainCommandOptions = {
          cohort: opts.cohort,
          registry: opts.registry,
          layout: opts.layout,
          version: opts.version,
          samples: numberOption('--samples', opts.samples, d.samples, positiveInt, 'a positive integer'),
          seed: numberOption('--seed', opts.seed, d.seed, (x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32, 'an integer from 0 to 2^32-1'),
          sampleRecords: numberOption('--sample-records', opts.sampleRecords, d.sampleRecords, positiveInt, 'a positive integer'),
          pairRows: numberOption('--pair-rows', opts.pairRows, d.pairRows, positiveInt, 'a positive integer'),
          thresholds: { link, review, closeMargin: numberOption('--close-margin', opts.closeMargin, t.closeMargin, (x) => x >= 0, 'a number ≥ 0') },
        };
        if (opts.version !== undefined && opts.version.trim() === '') throw new UsageError('--version must not be empty');
        const run = await runTrain(options);
        const json = `${serialiseModel(run.report.model)}\n`;
        if (opts.out) {
          try {
            await writeFile(opts.out, json);
          } catch (e) {
            throw new UsageError(`cannot write model ${opts.out}: ${e instanceof Error ? e.message : String(e)}`);
          }
        } else process.stdout.write(json);
        process.stderr.write(formatTrainSummary(run, Number(process.hrtime.bigint() - started) / 1e9, opts.out ?? null));
        process.exitCode = 0;
      } catch (e) {
        exitOnUsageError(e, { prefix: 'followup train: ', fold: true });
      }
    });
}
