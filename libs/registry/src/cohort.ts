import { CodedError } from '@trial/contracts';
import { boundedLines, MAX_LINE_BYTES } from './lines';
import { cellProblemReason, splitCells } from './cells';

/** A cohort file cannot be read at all: no header row, or a header without the columns asked for. */
export class CohortFileError extends CodedError<'cohort-unreadable'> {
  constructor(message: string) {
    super('cohort-unreadable', message);
  }
}

/**
 * One row of a cohort file: its cells by column (trimmed; an empty cell is null), or why it was
 * skipped (the column and the rule, never the cell's value).
 */
export type CohortRow<C extends string> =
  { ok: true; line: number; cells: Record<C, string | null> } | { ok: false; line: number; field: string; reason: string };

/**
 * Reads a cohort CSV (one patient a row, a header naming `columns` in any order, other columns
 * ignored) by the rules of the registry extracts (lines.ts, cells.ts): a row is one line of at
 * most MAX_LINE_BYTES, a quoted cell closes on its line, so a bad row is skipped at its own line
 * and never takes its neighbours with it, and memory stays flat whatever one line holds. Short
 * rows are padded with empty cells, as a spreadsheet writes them; empty lines are skipped
 * silently. Throws CohortFileError for a missing header or column.
 */
export async function* readCohortRows<C extends string>(input: AsyncIterable<Buffer | string>, columns: readonly C[]): AsyncGenerator<CohortRow<C>> {
  let at: Array<[C, number]> | null = null;
  let header: string[] = [];
  for await (const batch of boundedLines(input)) {
    for (const item of batch) {
      if (item.text !== null && item.text.trim() === '') continue;
      if (at === null) {
        const split = item.text === null ? null : splitCells(item.text);
        if (split === null || !split.ok) throw new CohortFileError('the header row is not a line of comma-separated column names');
        header = split.cells.map((h) => h.trim());
        const missing = columns.filter((c) => !header.includes(c));
        if (missing.length > 0) throw new CohortFileError(`lacks the column(s) ${missing.join(', ')}`);
        const repeated = columns.filter((c) => header.indexOf(c) !== header.lastIndexOf(c));
        if (repeated.length > 0) throw new CohortFileError(`names the column(s) ${repeated.join(', ')} more than once`);
        at = columns.map((c) => [c, header.indexOf(c)]);
        continue;
      }
      if (item.text === null) {
        yield { ok: false, line: item.line, field: '(row)', reason: `is longer than ${MAX_LINE_BYTES} bytes, the bound of a row` };
        continue;
      }
      const split = splitCells(item.text);
      if (!split.ok) {
        yield { ok: false, line: item.line, field: header[split.cell] ?? '(row)', reason: cellProblemReason[split.problem] };
        continue;
      }
      const cells = {} as Record<C, string | null>;
      for (const [c, i] of at) {
        const v = (split.cells[i] ?? '').trim();
        cells[c] = v === '' ? null : v;
      }
      yield { ok: true, line: item.line, cells };
    }
  }
  if (at === null) throw new CohortFileError('has no header row');
}
