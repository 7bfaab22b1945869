// The oracle bound of bound.ts, pure: given the rows grouped into cells (each cell one value of
// the information a rule may decide from), the best recall any rule deciding from that
// information can reach at a precision floor, on these rows.
//
// Why greedy by purity is the bound: a rule that decides from a cell's information alone gives
// every row of the cell the same chance of being linked (a deterministic rule 0 or 1, a
// randomised one anything between), so it is a vector x in [0,1]^cells. Its right links are
// sum x·right, its wrong links sum x·wrong, and precision >= P is the linear constraint
// sum x·((1-P)·right - P·wrong) >= 0. Maximising sum x·right under it is a fractional knapsack:
// its optimum takes cells in decreasing purity right/(right+wrong), the last one in part
// (Dantzig 1957, "Discrete-variable extremum problems", Operations Research 5(2)). Nothing that
// decides from the cell's information can do better on these rows; finer cells only raise it.

/** A value of the decision information and the rows that carry it: right = linking them to their candidate is correct. */
export interface Cell {
  key: string;
  right: number;
  wrong: number;
}

export interface Bound {
  /** Right links over all matches (rows whose truth is a match, linkable or not). */
  recall: number;
  precision: number;
  right: number;
  wrong: number;
  /** Cells taken whole, and the share taken of the next one (0 when none). */
  cellsWhole: number;
  partShare: number;
}

/** Purest first; among equally pure cells the larger first (a tie does not change the bound). */
export function byPurity(cells: readonly Cell[]): Cell[] {
  const purity = (c: Cell): number => c.right / (c.right + c.wrong);
  return cells.filter((c) => c.right + c.wrong > 0).sort((a, b) => purity(b) - purity(a) || b.right - a.right || (a.key < b.key ? -1 : 1));
}

/** The largest recall at precision >= minPrecision (the fractional knapsack's optimum). */
export function oracleBound(cells: readonly Cell[], matches: number, minPrecision: number): Bound {
  let right = 0,
    wrong = 0,
    whole = 0,
    part = 0;
  for (const c of byPurity(cells)) {
    const r = right + c.right,
      w = wrong + c.wrong;
    if (r >= minPrecision * (r + w)) {
      right = r;
      wrong = w;
      whole++;
      continue;
    }
    // The share a of this cell that keeps precision exactly at the floor:
    // (right + a·c.right) = P·(right + wrong + a·(c.right + c.wrong)).
    const slack = (1 - minPrecision) * right - minPrecision * wrong;
    const cost = minPrecision * c.wrong - (1 - minPrecision) * c.right;
    part = cost > 0 ? Math.max(0, Math.min(1, slack / cost)) : 0;
    right += part * c.right;
    wrong += part * c.wrong;
    break;
  }
  return {
    recall: matches ? right / matches : 1,
    precision: right + wrong ? right / (right + wrong) : 1,
    right,
    wrong,
    cellsWhole: whole,
    partShare: part,
  };
}

/** The best precision any such rule can have while reaching `recall`; null when no rule reaches it. */
export function precisionAtRecall(cells: readonly Cell[], matches: number, recall: number): number | null {
  const need = recall * matches;
  let right = 0,
    wrong = 0;
  for (const c of byPurity(cells)) {
    if (right + c.right >= need) {
      const a = c.right ? (need - right) / c.right : 0;
      return (right + a * c.right) / (right + wrong + a * (c.right + c.wrong));
    }
    right += c.right;
    wrong += c.wrong;
  }
  return null;
}

/**
 * The cells a rule fitted on these rows would link: purest first while precision stays at the
 * floor, whole cells only (a rule applied to other rows cannot take a share of a cell exactly).
 */
export function fittedRule(cells: readonly Cell[], minPrecision: number): Set<string> {
  const taken = new Set<string>();
  let right = 0,
    wrong = 0;
  for (const c of byPurity(cells)) {
    const r = right + c.right,
      w = wrong + c.wrong;
    if (r < minPrecision * (r + w)) break;
    right = r;
    wrong = w;
    taken.add(c.key);
  }
  return taken;
}

/** A rule (the cells it links) applied to other rows: their recall and precision. */
export function applyRule(
  rule: ReadonlySet<string>,
  cells: readonly Cell[],
  matches: number,
): { recall: number; precision: number; right: number; wrong: number } {
  let right = 0,
    wrong = 0;
  for (const c of cells) {
    if (!rule.has(c.key)) continue;
    right += c.right;
    wrong += c.wrong;
  }
  return { recall: matches ? right / matches : 1, precision: right + wrong ? right / (right + wrong) : 1, right, wrong };
}
