// Competing-risks rows collapsed to their distinct (time, code) pairs with counts, the one form
// every competing-risks estimator here reads: per-subject rows and a read model's cell counts
// then reach the estimators as the same numbers in the same order, so they give the same figures.
import { timeOrder } from './aalen-johansen';
import { SurvivalError } from './errors';

export interface CollapsedRows {
  /** Ascending by time, then by code within a time; each (time, code) once. */
  times: number[];
  codes: number[];
  /** Subjects at each (time, code): positive integers. */
  counts: number[];
}

/**
 * Collapses one group's rows (row i standing for counts[i] subjects, one each without counts)
 * to distinct (time, code) pairs, time then code ascending, rows with count 0 dropped.
 * Throws INVALID_OBSERVATION for a code that is not a non-negative integer, a count that is
 * not one, or columns of unequal length. O(n log n).
 */
export function collapseRows(times: ArrayLike<number>, codes: ArrayLike<number>, counts?: ArrayLike<number>): CollapsedRows {
  const n = times.length;
  if (codes.length !== n || (counts && counts.length !== n)) {
    throw new SurvivalError('INVALID_OBSERVATION', 'times, codes and counts differ in length');
  }
  const order = timeOrder(times);
  const out: CollapsedRows = { times: [], codes: [], counts: [] };
  const byCode = new Map<number, number>();
  for (let lo = 0; lo < n;) {
    const t = times[order[lo]];
    byCode.clear();
    let hi = lo;
    for (; hi < n && times[order[hi]] === t; hi++) {
      const code = codes[order[hi]];
      const w = counts ? counts[order[hi]] : 1;
      if (!(Number.isInteger(code) && code >= 0)) throw new SurvivalError('INVALID_OBSERVATION', `event code ${code} is not a non-negative integer`);
      if (!(Number.isInteger(w) && w >= 0)) throw new SurvivalError('INVALID_OBSERVATION', `count ${w} is not a non-negative integer`);
      if (w > 0) byCode.set(code, (byCode.get(code) ?? 0) + w);
    }
    for (const code of [...byCode.keys()].sort((a, b) => a - b)) {
      out.times.push(t);
      out.codes.push(code);
      out.counts.push(byCode.get(code)!);
    }
    lo = hi;
  }
  return out;
}
