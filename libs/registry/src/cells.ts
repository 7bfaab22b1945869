/** Why a line is not a row of cells; the cell is the 0-based index of the one at fault. */
export type CellProblem = 'unclosed-quote' | 'quote-in-unquoted-cell' | 'text-after-closing-quote';

export type Cells = { ok: true; cells: string[] } | { ok: false; problem: CellProblem; cell: number; cells: string[] };

/** The rule each problem breaks, for a reject reason (the rule, never the cell's text). */
export const cellProblemReason: Record<CellProblem, string> = {
  'unclosed-quote': 'has a quote that is not closed on its line (a quoted cell cannot span lines)',
  'quote-in-unquoted-cell': 'has a quote inside an unquoted cell (a cell holding a quote must be quoted, the quote doubled)',
  'text-after-closing-quote': 'has text after the closing quote of a quoted cell',
};

const QUOTE = '"';

/**
 * The cells of one line of comma-separated values (RFC 4180 within a line): a cell is either
 * unquoted, holding no quote, or quoted (spaces around it allowed), a quote inside it doubled.
 * A line is a whole row: feeds.md's extracts are one notification a row, and a quoted cell
 * that could run on into the next lines is how one unclosed quote used to swallow every row
 * after it. Rows that break the rule are refused, each with the first problem found; `cells`
 * then holds the cells read before it (the record id, when it came first).
 */
export function splitCells(line: string): Cells {
  if (!line.includes(QUOTE)) return { ok: true, cells: line.split(',') };
  const cells: string[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    let j = i;
    while (j < n && line[j] === ' ') j++;
    if (j < n && line[j] === QUOTE) {
      let value = '';
      let k = j + 1;
      for (;;) {
        const q = line.indexOf(QUOTE, k);
        if (q < 0) return { ok: false, problem: 'unclosed-quote', cell: cells.length, cells };
        value += line.slice(k, q);
        if (line[q + 1] === QUOTE) {
          value += QUOTE;
          k = q + 2;
          continue;
        }
        k = q + 1;
        break;
      }
      while (k < n && line[k] === ' ') k++;
      if (k < n && line[k] !== ',') return { ok: false, problem: 'text-after-closing-quote', cell: cells.length, cells };
      cells.push(value);
      if (k >= n) return { ok: true, cells };
      i = k + 1;
      continue;
    }
    const comma = line.indexOf(',', i);
    const cell = comma < 0 ? line.slice(i) : line.slice(i, comma);
    if (cell.includes(QUOTE)) return { ok: false, problem: 'quote-in-unquoted-cell', cell: cells.length, cells };
    cells.push(cell);
    if (comma < 0) return { ok: true, cells };
    i = comma + 1;
  }
}
