// `followup link`: the dry run of linkage (../shared/contracts/link-cli.md). Reads the cohort
// and a registry extract as streams and prints what the linkage service would decide for each
// row, with the same `decide` from @trial/linkage. No Kafka, no database.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { Command, Option } from 'commander';
import { parse } from 'csv-parse';
import { LinkageIndex, LinkageModel, PatientIdentity, RecordForLinkage, defaultModel, enrichModule, parseModel } from '@trial/linkage';
import { Layout, RegistryFileError, RowWarning, readRegistry, readRegistryThreaded } from '@trial/registry';

export const cohortColumns = ['trialId', 'patientId', 'arm', 'randomisedOn', 'nhsNumber', 'chiNumber', 'dateOfBirth', 'sex', 'familyName', 'givenNames', 'postcode'] as const;

/** One line of `--json` output (link-cli.md). */
export interface LinkRow {
  line: number;
  source: 'ONS' | 'NRS';
  recordId: string | null;
  version: number | null;
  kind: string | null;
  decision: 'linked' | 'review' | 'unlinked' | 'rejected';
  patientId: string | null;
  weight: number | null;
  reason: string | null;
  /** Damage that did not reject the row (column and reason, never the value); [] when none. */
  warnings: RowWarning[];
}

export interface LinkOptions {
  cohort: string;
  registry: string;
  layout?: Layout;
  model?: LinkageModel;
  /** The extract date stamped on records (`YYYY-MM-DD`); today by default (a dry run does not publish them). */
  extractedOn: string;
}

export interface LinkSummary {
  rows: number;
  patients: number;
  linked: number;
  review: number;
  unlinked: number;
  rejected: number;
  /** Warnings over all rows, counted apart from the decisions (a row may have several). */
  warnings: number;
  modelVersion: string;
  layout: Layout | null;
}

/** A file could not be read (missing, unreadable, or not the expected header): exit 2. */
export class LinkInputError extends Error {}

const sexes = new Set(['M', 'F', 'U']);

/**
 * Reads the cohort CSV as a stream of patients, in file order. Rows without a patientId are
 * skipped (reported to `onSkipped` with their line); an unreadable file or a missing column is
 * a LinkInputError. Shared by `link` and `train`.
 */
export async function* readCohort(path: string, onSkipped?: (line: number) => void): AsyncGenerator<PatientIdentity> {
  const parser = createReadStream(path).on('error', (e) => parser.destroy(e)).pipe(parse({ bom: true, columns: true, skip_empty_lines: true, trim: true, relax_column_count: true, info: true }));
  let checked = false;
  try {
    for await (const { record: row, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      if (!checked) {
        const missing = cohortColumns.filter((c) => !(c in row));
        if (missing.length) throw new LinkInputError(`cohort ${path} lacks the column(s) ${missing.join(', ')}`);
        checked = true;
      }
      const v = (k: (typeof cohortColumns)[number]): string | null => (row[k] === undefined || row[k] === '' ? null : row[k]);
      if (v('patientId') === null) {
        onSkipped?.(info.lines);
        continue;
      }
      const sex = (v('sex') ?? '').toUpperCase();
      yield {
        patientId: row.patientId,
        randomisedOn: v('randomisedOn'),
        nhsNumber: v('nhsNumber'),
        chiNumber: v('chiNumber'),
        dateOfBirth: v('dateOfBirth'),
        sex: sexes.has(sex) ? (sex as 'M' | 'F' | 'U') : null,
        familyName: v('familyName'),
        givenNames: v('givenNames'),
        postcode: v('postcode'),
      };
    }
  } catch (e) {
    if (e instanceof LinkInputError) throw e;
    throw new LinkInputError(`cannot read cohort ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!checked) throw new LinkInputError(`cohort ${path} has no header row`);
}

/** Loads the cohort CSV into a patients-only blocking index (records are streamed, not kept). */
export async function loadCohort(path: string): Promise<LinkageIndex> {
  const index = new LinkageIndex();
  for await (const patient of readCohort(path)) index.upsertPatient(patient);
  return index;
}

/**
 * The extract's rows, validated, in file order, on this thread (`train` uses it). Iterate it
 * inside a try and turn what it throws into a LinkInputError with `extractReadError`.
 */
export function readExtract(path: string, options: { layout?: Layout; extractedOn: string }): ReturnType<typeof readRegistry> {
  // Small chunks: the CSV parser turns a whole chunk into records at once, and records waiting
  // in its buffer outlive young-generation collections (promoted garbage grows the heap).
  return readRegistry(createReadStream(path, { highWaterMark: 8 * 1024 }), options);
}

/** The LinkInputError for a failure to read the extract (its header, the file system); null for any other error. */
export function extractReadError(path: string, e: unknown): LinkInputError | null {
  if (e instanceof RegistryFileError) return new LinkInputError(`cannot read registry extract ${path}: ${e.message}`);
  // File-system errors (ENOENT, EACCES, EISDIR...): duck-typed, as they may come from another realm.
  const io = e as Partial<NodeJS.ErrnoException> | null;
  if (io && typeof io.syscall === 'string' && typeof io.code === 'string') {
    return new LinkInputError(`cannot read registry extract ${path}: ${String(io.message)}`);
  }
  return null;
}

/**
 * Links every row of the extract, calling `emit` in file order. Throws LinkInputError when a
 * file cannot be read; row problems are `rejected` rows, never errors.
 */
export async function runLink(options: LinkOptions, emit: (row: LinkRow) => void | Promise<void>): Promise<LinkSummary> {
  const model = options.model ?? defaultModel;
  const index = await loadCohort(options.cohort);
  const summary: LinkSummary = { rows: 0, patients: index.patientCount, linked: 0, review: 0, unlinked: 0, rejected: 0, warnings: 0, modelVersion: model.version, layout: null };
  // The extract is parsed and validated on a worker thread (the second core) while this one
  // links; batches are small so that rows waiting for linkage stay in the young generation.
  const input = createReadStream(options.registry, { highWaterMark: 64 * 1024 });
  try {
    const rows = readRegistryThreaded(input, { layout: options.layout, extractedOn: options.extractedOn, batchSize: 500, enrich: enrichModule });
    for await (const batch of rows) for (const result of batch.rows) {
      summary.rows++;
      summary.layout = result.layout;
      const source = result.layout === 'ons' ? 'ONS' : 'NRS';
      summary.warnings += result.warnings.length;
      let out: LinkRow;
      if (!result.ok) {
        summary.rejected++;
        const e = result.error;
        out = { line: result.line, source, recordId: e.recordId, version: null, kind: null, decision: 'rejected', patientId: null, weight: null, reason: `${e.field}: ${e.reason}`, warnings: result.warnings };
      } else {
        const rec = result.record;
        // Prepared on the reader thread (enrich.ts): a valid row always carries it.
        const { prepared, keys } = result.extra as RecordForLinkage;
        const d = index.decidePrepared(prepared, keys, model, { maxCandidates: 0 });
        summary[d.decision]++;
        out = { line: result.line, source, recordId: rec.recordId, version: rec.version, kind: rec.kind, decision: d.decision, patientId: d.patientId, weight: d.weight, reason: null, warnings: result.warnings };
      }
      // Await only a real promise (the writer's back-pressure): not a microtask hop per row.
      const pending = emit(out);
      if (pending) await pending;
    }
  } catch (e) {
    throw extractReadError(options.registry, e) ?? e;
  }
  return summary;
}

/** Buffers output lines and respects back-pressure, so a million lines do not pile up in memory. */
function lineWriter(out: Writable): { write: (s: string) => Promise<void> | void; flush: () => Promise<void> } {
  let buf = '';
  const drain = (): Promise<void> => new Promise((resolve) => out.once('drain', () => resolve()));
  const push = async (): Promise<void> => {
    const chunk = buf;
    buf = '';
    if (!out.write(chunk)) await drain();
  };
  return {
    write: (s) => {
      buf += s;
      if (buf.length > 1 << 16) return push();
      return undefined;
    },
    flush: async () => {
      if (buf.length) await push();
    },
  };
}

export function formatSummary(s: LinkSummary, seconds: number): string {
  const pct = (n: number): string => (s.rows ? `${((100 * n) / s.rows).toFixed(2)}%` : '0%');
  return [
    `followup link: ${s.rows} ${s.layout ? s.layout.toUpperCase() : ''} rows against ${s.patients} patients (model ${s.modelVersion})`,
    `  linked    ${s.linked} (${pct(s.linked)})`,
    `  review    ${s.review} (${pct(s.review)})`,
    `  unlinked  ${s.unlinked} (${pct(s.unlinked)})`,
    `  rejected  ${s.rejected} (${pct(s.rejected)})`,
    `  warnings  ${s.warnings}`,
    `  ${seconds.toFixed(1)} s, ${Math.round(s.rows / Math.max(seconds, 1e-9))} rows/s`,
    '',
  ].join('\n');
}

export function register(program: Command): void {
  program
    .command('link')
    .description('dry run: what linkage would decide for each row of a registry extract (link-cli.md)')
    .requiredOption('--cohort <file>', 'cohort CSV, one randomised patient a row')
    .requiredOption('--registry <file>', 'registry extract CSV in the ONS or NRS layout')
    .addOption(new Option('--layout <layout>', 'extract layout (default: guessed from the header)').choices(['ons', 'nrs']))
    .option('--json', 'print one JSON object per extract row (JSON Lines), in file order')
    .option('--model <file>', 'a stored linkage model (JSON); default: the built-in model')
    .action(async (opts: { cohort: string; registry: string; layout?: Layout; json?: boolean; model?: string }) => {
      const started = process.hrtime.bigint();
      try {
        let model: LinkageModel | undefined;
        if (opts.model) {
          let text: string;
          try {
            text = await readFile(opts.model, 'utf8');
          } catch (e) {
            throw new LinkInputError(`cannot read model ${opts.model}: ${e instanceof Error ? e.message : String(e)}`);
          }
          const parsed = parseModel(text);
          if (!parsed.ok) throw new LinkInputError(`model ${opts.model} is invalid: ${parsed.reason}`);
          model = parsed.model;
        }
        const out = lineWriter(process.stdout);
        const summary = await runLink(
          { cohort: opts.cohort, registry: opts.registry, layout: opts.layout, model, extractedOn: new Date().toISOString().slice(0, 10) },
          opts.json ? (row) => out.write(`${JSON.stringify(row)}\n`) : () => undefined,
        );
        await out.flush();
        if (!opts.json) process.stdout.write(formatSummary(summary, Number(process.hrtime.bigint() - started) / 1e9));
        process.exitCode = 0;
      } catch (e) {
        if (!(e instanceof LinkInputError)) throw e;
        process.stderr.write(`followup link: ${e.message.replace(/\s+/g, ' ')}\n`);
        process.exitCode = 2;
      }
    });
}
