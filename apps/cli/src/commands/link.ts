// `followup link`: the dry run of linkage (../shared/contracts/link-cli.md). Reads the cohort
// and a registry extract as streams and prints what the linkage service would decide for each
// row, with the same `decide` from @trial/linkage. No Kafka, no database.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  DeferredDecisions,
  LinkDecision,
  LinkageIndex,
  LinkageModel,
  PatientIdentity,
  PreparedRecord,
  PriorCounts,
  PriorEstimate,
  RankingSink,
  RecordFacts,
  RecordForLinkage,
  compileModel,
  defaultModel,
  emptyCounts,
  enrichModule,
  estimatePrior,
  holdsRegistryNumber,
  largestEstimate,
  parseModel,
  PLACEHOLDER_DECISION,
} from '@trial/linkage';
import { civilDate, Sex, sex as sexCode } from '@trial/contracts';
import { CohortFileError, Layout, RegistryFileError, RowWarning, readCohortRows, readRegistry, readRegistryThreaded } from '@trial/registry';
import { exitOnUsageError, UsageError } from '../usage';

export const cohortColumns = [
  'trialId',
  'patientId',
  'arm',
  'randomisedOn',
  'nhsNumber',
  'chiNumber',
  'dateOfBirth',
  'sex',
  'familyName',
  'givenNames',
  'postcode',
] as const;

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
  /** λ to decide under; default estimated from the files (prior.ts `estimatePrior`). */
  prior?: number;
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
  /** Cohort rows not read as patients, each with its line, column and rule. */
  cohortSkipped: SkippedPatientRow[];
  modelVersion: string;
  layout: Layout | null;
  /** λ the decisions were made under: estimated from the files (prior.ts), the model's, or given (`--prior`). */
  prior: PriorUsed;
}

/** A PriorEstimate, or λ given by the caller (`--prior`), with the counts an estimate would use. */
export type PriorUsed = PriorEstimate | { basis: 'given'; prior: number; weight: number; counts: PriorCounts };

/** A cohort row that was not read as a patient: its line, the column and the rule (never the value). */
export interface SkippedPatientRow {
  line: number;
  field: string;
  reason: string;
}

/**
 * A cohort row with a patientId checked as the linkage service checks a PatientRandomised: its
 * sex, parsed once (null when the cell is empty), or why the row cannot be a patient the service
 * would hold: a date of birth, date of randomisation or sex that is not one (feeds.md), or a
 * patient already read (the service keeps a patient's first randomisation; `firstLine`, by
 * patientId). An empty cell is a missing value, which the dry run allows.
 */
function checkPatient(
  c: Record<(typeof cohortColumns)[number], string | null>,
  patientId: string,
  line: number,
  firstLine: Map<string, number>,
): { refused: Omit<SkippedPatientRow, 'line'> } | { refused: null; sex: Sex | null } {
  for (const field of ['dateOfBirth', 'randomisedOn'] as const) {
    const value = c[field];
    if (value !== null && !civilDate.safeParse(value).success) return { refused: { field, reason: 'is not a real calendar date YYYY-MM-DD' } };
  }
  let sex: Sex | null = null;
  if (c.sex !== null) {
    const parsed = sexCode.safeParse(c.sex.toUpperCase());
    if (!parsed.success) return { refused: { field: 'sex', reason: 'is not M, F or U' } };
    sex = parsed.data;
  }
  // By patientId alone: the rows name their patient by it (link-cli.md), whatever its trial.
  const first = firstLine.get(patientId);
  if (first !== undefined) {
    return {
      refused: {
        field: 'patientId',
        reason: `repeats the patientId of line ${first}; the first is kept, as the linkage service keeps a patient's first randomisation`,
      },
    };
  }
  firstLine.set(patientId, line);
  return { refused: null, sex };
}

/**
 * Reads the cohort CSV as a stream of patients, in file order, by the extracts' rules
 * (readCohortRows: a bounded line a row, so a bad row costs only itself). Rows that are not a
 * line of cells, and rows the service would not hold as patients (no patientId, or what
 * `checkPatient` refuses), are skipped and reported to `onSkipped` with their line, column and
 * rule; an unreadable file or a missing column is a UsageError. Shared by `link` and `train`.
 */
export async function* readCohort(path: string, onSkipped?: (row: SkippedPatientRow) => void): AsyncGenerator<PatientIdentity> {
  const input = createReadStream(path);
  const firstLine = new Map<string, number>();
  try {
    for await (const r of readCohortRows(input, cohortColumns)) {
      if (!r.ok) {
        onSkipped?.({ line: r.line, field: r.field, reason: r.reason });
        continue;
      }
      const c = r.cells;
      if (c.patientId === null) {
        onSkipped?.({ line: r.line, field: 'patientId', reason: 'is missing' });
        continue;
      }
      const checked = checkPatient(c, c.patientId, r.line, firstLine);
      if (checked.refused !== null) {
        onSkipped?.({ line: r.line, ...checked.refused });
        continue;
      }
      yield {
        patientId: c.patientId,
        randomisedOn: c.randomisedOn,
        nhsNumber: c.nhsNumber,
        chiNumber: c.chiNumber,
        dateOfBirth: c.dateOfBirth,
        sex: checked.sex,
        familyName: c.familyName,
        givenNames: c.givenNames,
        postcode: c.postcode,
      };
    }
  } catch (e) {
    if (e instanceof CohortFileError) throw new UsageError(`cohort ${path} ${e.message}`);
    const io = e as Partial<NodeJS.ErrnoException> | null;
    if (io && typeof io.syscall === 'string') throw new UsageError(`cannot read cohort ${path}: ${String(io.message)}`);
    throw e;
  } finally {
    input.destroy();
  }
}

/** Loads the cohort CSV into a patients-only blocking index (records are streamed, not kept). */
export async function loadCohort(path: string): Promise<LinkageIndex> {
  return (await loadCohortCounted(path)).index;
}

/** A loaded cohort and, for the prior, how many of its patients hold a valid number of each kind. */
export interface LoadedCohort {
  index: LinkageIndex;
  /** Cohort rows not read as patients (no patientId, or not a line of cells). */
  skipped: SkippedPatientRow[];
  withNumber: Record<'ONS' | 'NRS', number>;
}

export async function loadCohortCounted(path: string): Promise<LoadedCohort> {
  const index = new LinkageIndex();
  const skipped: SkippedPatientRow[] = [];
  for await (const patient of readCohort(path, (r) => skipped.push(r))) index.upsertPatient(patient);
  // Patients of a block side by side in memory: the extract is linked against them a million times.
  index.relayout();
  // Validity as the index sees it (prepareIdentity), so the counts are those of the rule's pairs.
  return { index, skipped, withNumber: { ONS: index.patientsWithNumber('ONS'), NRS: index.patientsWithNumber('NRS') } };
}

/**
 * The extract's rows, validated, in file order, on this thread (`train` uses it). Iterate it
 * inside a try and turn what it throws into a UsageError with `extractReadError`.
 */
export function readExtract(path: string, options: { layout?: Layout; extractedOn: string }): ReturnType<typeof readRegistry> {
  // Small chunks: the CSV parser turns a whole chunk into records at once, and records waiting
  // in its buffer outlive young-generation collections (promoted garbage grows the heap).
  return readRegistry(createReadStream(path, { highWaterMark: 8 * 1024 }), options);
}

/** The UsageError for a failure to read the extract (its header, the file system); null for any other error. */
export function extractReadError(path: string, e: unknown): UsageError | null {
  if (e instanceof RegistryFileError) return new UsageError(`cannot read registry extract ${path}: ${e.message}`);
  // File-system errors (ENOENT, EACCES, EISDIR...): duck-typed, as they may come from another realm.
  const io = e as Partial<NodeJS.ErrnoException> | null;
  if (io && typeof io.syscall === 'string' && typeof io.code === 'string') {
    return new UsageError(`cannot read registry extract ${path}: ${String(io.message)}`);
  }
  return null;
}

/**
 * Links every row of the extract, calling `emit` in file order. Throws UsageError when a
 * file cannot be read; row problems are `rejected` rows, never errors.
 *
 * λ (prior.ts): with `options.prior` every row is decided under it as it is read. Otherwise λ
 * is estimated from the whole extract (its valid rows, the cohort, the rows with a
 * deterministic match), which is known only at the end: each row is ranked as it is read
 * (DeferredDecisions: the ranking does not depend on λ), kept compactly, and concluded under
 * the estimate once the extract is read; then the rows are emitted in file order.
 */
export async function runLink(options: LinkOptions, emit: (row: LinkRow) => void | Promise<void>): Promise<LinkSummary> {
  const model = options.model ?? defaultModel;
  const { index, withNumber, skipped } = await loadCohortCounted(options.cohort);
  const counts: PriorCounts = { ...emptyCounts(), patients: index.patientCount };
  const summary: LinkSummary = {
    rows: 0,
    patients: index.patientCount,
    linked: 0,
    review: 0,
    unlinked: 0,
    rejected: 0,
    warnings: 0,
    cohortSkipped: skipped,
    modelVersion: model.version,
    layout: null,
    prior: { basis: 'model', prior: model.prior, weight: compileModel(model).priorWeight, counts },
  };
  const tally = (decision: LinkRow['decision']): void => {
    summary[decision]++;
  };
  const given = options.prior;
  const rows = new RowStore();
  const deferred = new DeferredDecisions();
  // The one pass is decided under the largest λ the estimate can come to (known from the
  // cohort once the header gives the layout), so its pruning holds under the final λ.
  let passPrior: number | null = null;
  let current: PreparedRecord | null = null;
  const ranked: RankingSink = (scored, deterministic) => {
    deferred.add(current as PreparedRecord, scored, deterministic);
    return PLACEHOLDER_DECISION; // concluded at the end, under the estimate
  };
  // The extract is parsed and validated on a worker thread (the second core) while this one
  // links; batches are small so that rows waiting for linkage stay in the young generation.
  const input = createReadStream(options.registry, { highWaterMark: 64 * 1024 });
  try {
    const batches = readRegistryThreaded(input, { layout: options.layout, extractedOn: options.extractedOn, batchSize: 500, enrich: enrichModule });
    for await (const batch of batches)
      for (const result of batch.rows) {
        summary.rows++;
        summary.layout = result.layout;
        const source = result.layout === 'ons' ? 'ONS' : 'NRS';
        summary.warnings += result.warnings.length;
        if (!result.ok) {
          const e = result.error;
          const out: LinkRow = {
            line: result.line,
            source,
            recordId: e.recordId,
            // As read before the reject (null when the reject is theirs, or they were not reached).
            version: result.version,
            kind: result.kind,
            decision: 'rejected',
            patientId: null,
            weight: null,
            reason: `${e.field}: ${e.reason}`,
            warnings: result.warnings,
          };
          if (given === undefined) rows.addRejected(out);
          else {
            tally('rejected');
            const pending = emit(out);
            if (pending) await pending;
          }
          continue;
        }
        const rec = result.record;
        // Prepared on the reader thread (enrich.ts): a valid row always carries it.
        const { prepared, keys } = result.extra as RecordForLinkage;
        counts.records++;
        // Matches are counted among the pairs the rule can judge (prior.ts): rows with the number.
        const judged = holdsRegistryNumber(prepared, source);
        if (judged) counts.recordsWithNumber++;
        if (given === undefined) {
          passPrior ??= largestEstimate(withNumber[source], model.prior);
          current = prepared;
          index.decidePrepared(prepared, keys, model, { maxCandidates: 0, prior: passPrior, ranked });
          current = null;
          if (judged && deferred.hasDeterministic(deferred.size - 1)) counts.deterministic++;
          rows.addValid(result.line, rec.recordId, rec.version, rec.kind, result.warnings);
          continue;
        }
        const d = index.decidePrepared(prepared, keys, model, { maxCandidates: 0, prior: given });
        if (judged && d.method === 'deterministic') counts.deterministic++;
        tally(d.decision);
        // Await only a real promise (the writer's back-pressure): not a microtask hop per row.
        const pending = emit({
          line: result.line,
          source,
          recordId: rec.recordId,
          version: rec.version,
          kind: rec.kind,
          decision: d.decision,
          patientId: d.patientId,
          weight: d.weight,
          reason: null,
          warnings: result.warnings,
        });
        if (pending) await pending;
      }
  } catch (e) {
    throw extractReadError(options.registry, e) ?? e;
  }
  counts.patientsWithNumber = summary.layout === null ? 0 : withNumber[summary.layout === 'ons' ? 'ONS' : 'NRS'];
  if (given !== undefined) {
    summary.prior = { basis: 'given', prior: given, weight: compileModel(model, given).priorWeight, counts };
    return summary;
  }
  const estimate = estimatePrior(counts, model.prior);
  summary.prior = estimate;
  const cm = compileModel(model, estimate.prior);
  const source = summary.layout === 'nrs' ? 'NRS' : 'ONS';
  let valid = 0;
  for (let i = 0; i < rows.size; i++) {
    let out = rows.rejected(i);
    if (out === undefined) {
      const d = deferred.conclude(valid++, model, cm);
      out = rows.valid(i, source, d, rows.warnings(i));
    }
    tally(out.decision);
    const pending = emit(out);
    if (pending) await pending;
  }
  return summary;
}

/**
 * The extract's rows kept until λ is known, column-wise: a valid row's line, record id,
 * version and kind (its decision is in DeferredDecisions, in the same order); rejected rows
 * whole (they are few).
 */
class RowStore {
  private n = 0;
  private lines = new Int32Array(1024);
  private versions = new Int32Array(1024);
  private kinds = new Uint8Array(1024);
  private readonly recordIds: string[] = [];
  private readonly rejects = new Map<number, LinkRow>();
  /** Warnings of valid rows, by slot: few rows have any. */
  private readonly warned = new Map<number, RowWarning[]>();

  get size(): number {
    return this.n;
  }

  addValid(line: number, recordId: string, version: number, kind: RecordFacts['kind'], warnings: RowWarning[]): void {
    const i = this.slot();
    if (warnings.length) this.warned.set(i, warnings);
    this.lines[i] = line;
    this.versions[i] = version;
    this.kinds[i] = rowKinds.indexOf(kind);
    this.recordIds[i] = recordId;
  }

  addRejected(row: LinkRow): void {
    this.rejects.set(this.slot(), row);
  }

  warnings(i: number): RowWarning[] {
    return this.warned.get(i) ?? [];
  }

  rejected(i: number): LinkRow | undefined {
    return this.rejects.get(i);
  }

  /** Valid row i's output line with its decision (one literal: a spread costs microseconds a row in V8). */
  valid(i: number, source: LinkRow['source'], d: LinkDecision, warnings: RowWarning[]): LinkRow {
    return {
      line: this.lines[i],
      source,
      recordId: this.recordIds[i],
      version: this.versions[i],
      kind: rowKinds[this.kinds[i]],
      decision: d.decision,
      patientId: d.patientId,
      weight: d.weight,
      reason: null,
      warnings,
    };
  }

  private slot(): number {
    if (this.n === this.lines.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.lines = grow(this.lines, (n) => new Int32Array(n));
      this.versions = grow(this.versions, (n) => new Int32Array(n));
      this.kinds = grow(this.kinds, (n) => new Uint8Array(n));
    }
    this.recordIds.push('');
    return this.n++;
  }
}

const rowKinds: RecordFacts['kind'][] = ['death', 'death-cancelled', 'embarkation', 're-entry', 'no-trace'];

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

/** The cohort rows skipped, counted, with the first few (line, column and rule: never a value). */
export function formatSkipped(rows: SkippedPatientRow[]): string {
  const shown = rows
    .slice(0, 5)
    .map((r) => `line ${r.line}: ${r.field} ${r.reason}`)
    .join('; ');
  return `cohort: ${rows.length} row(s) not read as patients (${shown}${rows.length > 5 ? '; ...' : ''})`;
}

/** The prior line: λ, where it came from, its weight (printed on stdout, or on stderr with --json). */
export function formatPrior(p: PriorUsed): string {
  const c = p.counts;
  const pairs = `${c.recordsWithNumber} registrations with a number × ${c.patientsWithNumber} patients with one`;
  let from: string;
  switch (p.basis) {
    case 'estimated':
      from = `estimated from ${pairs}, ${c.deterministic} deterministic matches`;
      break;
    case 'model':
      from = `the model's: ${pairs} are too few pairs to estimate from`;
      break;
    case 'given':
      from = 'given with --prior';
      break;
    default: {
      const never: never = p;
      throw new Error(`unknown prior basis ${JSON.stringify(never)}`);
    }
  }
  return `prior λ = ${p.prior.toExponential(2)} (${from}; prior weight ${p.weight.toFixed(2)} bits)`;
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
    `  ${formatPrior(s.prior)}`,
    `  ${seconds.toFixed(1)} s, ${Math.round(s.rows / Math.max(seconds, 1e-9))} rows/s`,
    '',
  ].join('\n');
}

function parsePrior(value: string): number {
  const p = Number(value);
  if (!(value.trim() !== '' && p > 0 && p < 1)) throw new InvalidArgumentError('λ must be a number between 0 and 1 (exclusive)');
  return p;
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
    .option('--prior <lambda>', 'decide under this prior λ (0 < λ < 1) instead of estimating it from the files', parsePrior)
    .action(async (opts: { cohort: string; registry: string; layout?: Layout; json?: boolean; model?: string; prior?: number }) => {
      const started = process.hrtime.bigint();
      try {
        let model: LinkageModel | undefined;
        if (opts.model) {
          let text: string;
          try {
            text = await readFile(opts.model, 'utf8');
          } catch (e) {
            throw new UsageError(`cannot read model ${opts.model}: ${e instanceof Error ? e.message : String(e)}`);
          }
          const parsed = parseModel(text);
          if (!parsed.ok) throw new UsageError(`model ${opts.model} is invalid: ${parsed.reason}`);
          model = parsed.model;
        }
        const out = lineWriter(process.stdout);
        const summary = await runLink(
          {
            cohort: opts.cohort,
            registry: opts.registry,
            layout: opts.layout,
            model,
            prior: opts.prior,
            extractedOn: new Date().toISOString().slice(0, 10),
          },
          opts.json ? (row) => out.write(`${JSON.stringify(row)}\n`) : () => undefined,
        );
        await out.flush();
        // Stderr, with or without --json: stdout's rows are the extract's, one a row (link-cli.md).
        if (summary.cohortSkipped.length > 0) process.stderr.write(`followup link: ${formatSkipped(summary.cohortSkipped)}\n`);
        // With --json stdout carries only the rows (link-cli.md): the prior goes to stderr.
        if (opts.json) process.stderr.write(`followup link: ${formatPrior(summary.prior)}\n`);
        else process.stdout.write(formatSummary(summary, Number(process.hrtime.bigint() - started) / 1e9));
        process.exitCode = 0;
      } catch (e) {
        exitOnUsageError(e, { prefix: 'followup link: ', fold: true });
      }
    });
}
