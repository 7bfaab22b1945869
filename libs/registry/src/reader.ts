import { Readable } from 'node:stream';
import { CodedError, MAX_ID } from '@trial/contracts';
import { Layout, guessLayout, layoutColumns, missingColumns, normaliseHeader, repeatedColumns } from './layouts';
import { RowResult, validateRow } from './validate';
import { cellProblemReason, splitCells } from './cells';
import { MAX_LINE_BYTES, boundedLines } from './lines';

export interface ReadOptions {
  /** The layout; guessed from the header when omitted. */
  layout?: Layout;
  /** The extract date every record carries (`YYYY-MM-DD`), passed in by the caller. */
  extractedOn: string;
}

export type RegistryFileProblem = 'empty' | 'unknown-layout' | 'missing-columns' | 'repeated-columns';

/** The file as a whole cannot be read as an extract (as opposed to one bad row). */
export class RegistryFileError extends CodedError<RegistryFileProblem> {}

/** Field name used for errors that concern the whole row rather than one column. */
export const ROW_FIELD = '(row)';

type Yielded = RowResult & { layout: Layout };

/**
 * Reads an ONS or NRS extract as a stream, in constant memory: yields, in file order, one
 * result per data row: a RegistryRecord kept (with its warnings, [] when none) or a RowError.
 * Line numbers are the file's (the header is line 1); empty and blank lines are skipped.
 *
 * A row is a line (boundedLines, splitCells): whatever is wrong with one line (an unclosed
 * quote, a stray quote, the wrong number of cells, more than MAX_LINE_BYTES) is one reject at
 * that line, naming the column when one is at fault and the rule broken, never the text, and
 * the next line is read afresh. Only an unreadable header is fatal (RegistryFileError).
 */
export async function* readRegistry(input: Readable, options: ReadOptions): AsyncGenerator<Yielded> {
  let header: string[] | null = null;
  let layout: Layout | null = null;
  let index: Map<string, number> = new Map();
  let idAt = 0;
  const reject = (line: number, l: Layout, field: string, reason: string, recordId: string | undefined): Yielded => {
    const id = (recordId ?? '').trim();
    return {
      ok: false,
      line,
      layout: l,
      error: { line, recordId: id === '' || id.length > MAX_ID ? null : id, field, reason },
      warnings: [],
      version: null,
      kind: null,
    };
  };
  for await (const lines of boundedLines(input)) {
    for (const item of lines) {
      // An empty line, or one of only blanks (a padded last line), is no row: skipped, as the cohort reader skips it.
      if (item.text !== null && item.text.trim() === '') continue;
      const line = item.line;
      if (header === null) {
        if (item.text === null) throw new RegistryFileError('unknown-layout', `the header line is longer than ${MAX_LINE_BYTES} bytes`);
        const split = splitCells(item.text);
        if (!split.ok) throw new RegistryFileError('unknown-layout', `the header ${cellProblemReason[split.problem]}`);
        header = normaliseHeader(split.cells);
        const guessed = options.layout ?? guessLayout(header);
        if (guessed === null) {
          throw new RegistryFileError('unknown-layout', 'the header is neither the ONS nor the NRS layout of feeds.md');
        }
        if (guessed === 'both') {
          throw new RegistryFileError(
            'unknown-layout',
            'the header holds the columns of both the ONS and the NRS layout: say which it is (--layout)',
          );
        }
        layout = guessed;
        const missing = missingColumns(header, layout);
        if (missing.length > 0) {
          throw new RegistryFileError('missing-columns', `the header lacks the ${layout.toUpperCase()} column(s) ${missing.join(', ')}`);
        }
        const repeated = repeatedColumns(header, layout);
        if (repeated.length > 0) {
          throw new RegistryFileError(
            'repeated-columns',
            `the header names the ${layout.toUpperCase()} column(s) ${repeated.join(', ')} more than once`,
          );
        }
        index = new Map(header.map((h, i) => [h, i]));
        idAt = index.get(layoutColumns[layout][0]) ?? 0;
        continue;
      }
      const l = layout as Layout;
      if (item.text === null) {
        yield reject(line, l, ROW_FIELD, `is longer than ${MAX_LINE_BYTES} bytes, the bound of a row`, undefined);
        continue;
      }
      const split = splitCells(item.text);
      if (!split.ok) {
        yield reject(line, l, header[split.cell] ?? ROW_FIELD, cellProblemReason[split.problem], split.cells[idAt]);
        continue;
      }
      const record = split.cells;
      if (record.length !== header.length) {
        yield reject(line, l, ROW_FIELD, `has ${record.length} cells but the header has ${header.length}`, record[idAt]);
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
  }
  if (header === null) throw new RegistryFileError('empty', 'the file is empty: no header row');
}
