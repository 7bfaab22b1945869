import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { Layout, guessLayout, layoutColumns, missingColumns, normaliseHeader } from './layouts';
import { RowResult, validateRow } from './validate';

export interface ReadOptions {
  /** The layout; guessed from the header when omitted. */
  layout?: Layout;
  /** The extract date every record carries (`YYYY-MM-DD`), passed in by the caller. */
  extractedOn: string;
}

export type RegistryFileProblem = 'empty' | 'unknown-layout' | 'missing-columns';

/** The file as a whole cannot be read as an extract (as opposed to one bad row). */
export class RegistryFileError extends Error {
  constructor(readonly code: RegistryFileProblem, message: string) {
    super(message);
    this.name = 'RegistryFileError';
  }
}

interface Info {
  lines: number;
}

/** Field name used for errors that concern the whole row rather than one column. */
export const ROW_FIELD = '(row)';

/**
 * Reads an ONS or NRS extract as a stream, in constant memory: yields, in file order, one
 * result per data row: a RegistryRecord kept (with its warnings, [] when none) or a RowError.
 * Line numbers are the file's (the header is line 1). Rows with unbalanced quotes or the wrong number of cells are row errors;
 * only an unreadable header is fatal (RegistryFileError).
 */
export async function* readRegistry(input: Readable, options: ReadOptions): AsyncGenerator<RowResult & { layout: Layout }> {
  const skipped: { line: number; reason: string }[] = [];
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    skip_records_with_error: true,
    on_skip: (err) => {
      // A malformed CSV record (e.g. an unclosed quote): report it as a row error in order.
      const lines = (err as unknown as { lines?: number } | undefined)?.lines ?? 0;
      skipped.push({ line: lines, reason: err ? err.message : 'unreadable CSV record' });
      return undefined;
    },
  });
  input.on('error', (e) => parser.destroy(e));
  input.pipe(parser);
  let header: string[] | null = null;
  let layout: Layout | null = null;
  let index: Map<string, number> = new Map();
  const flushSkipped = function* (upTo: number): Generator<RowResult & { layout: Layout }> {
    while (skipped.length > 0 && skipped[0].line <= upTo && layout !== null) {
      const s = skipped.shift()!;
      yield { ok: false, line: s.line, layout, error: { line: s.line, recordId: null, field: ROW_FIELD, reason: s.reason }, warnings: [] };
    }
  };
  for await (const item of parser as AsyncIterable<{ record: string[]; info: Info }>) {
    const { record, info } = item;
    if (header === null) {
      header = normaliseHeader(record);
      layout = options.layout ?? guessLayout(header);
      if (layout === null) {
        throw new RegistryFileError('unknown-layout', 'the header is neither the ONS nor the NRS layout of feeds.md');
      }
      const missing = missingColumns(header, layout);
      if (missing.length > 0) {
        throw new RegistryFileError('missing-columns', `the header lacks the ${layout.toUpperCase()} column(s) ${missing.join(', ')}`);
      }
      index = new Map(header.map((h, i) => [h, i]));
      continue;
    }
    const line = info.lines;
    yield* flushSkipped(line);
    const l = layout as Layout;
    if (record.length !== header.length) {
      const idCell = record[index.get(layoutColumns[l][0]) ?? 0] ?? '';
      yield {
        ok: false, line, layout: l,
        error: { line, recordId: idCell.trim() === '' ? null : idCell.trim(), field: ROW_FIELD, reason: `has ${record.length} cells but the header has ${header.length}` },
        warnings: [],
      };
      continue;
    }
    const row: Record<string, string> = {};
    for (const col of layoutColumns[l]) row[col] = record[index.get(col) as number] ?? '';
    // The layout added to the fresh result, not spread into a copy: V8's `{ ...a, b }` is a slow
    // runtime path (microseconds a row). Same keys in the same order.
    const result = validateRow(l, row, { line, extractedOn: options.extractedOn }) as RowResult & { layout: Layout };
    result.layout = l;
    yield result;
  }
  if (header === null) throw new RegistryFileError('empty', 'the file is empty: no header row');
  yield* flushSkipped(Number.MAX_SAFE_INTEGER);
}
