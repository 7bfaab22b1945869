// SurvivalTable: the time-ordered table of one group, (time, events, censorings) per distinct
// observed time, with its totals. It is the unit the projector keeps per arm and updates one
// patient at a time, and the input of every estimator in this library.
//
// Representation: three parallel arrays sorted by time (distinct times only) plus totals.
// Costs, with m = number of distinct times:
//   add / remove at a time already present: O(log m) (binary search, then a counter update);
//   add at a new time / remove of the last observation at a time: O(log m) search plus one
//   Array#splice, an O(m) memmove of contiguous numbers (about 20 microseconds for m = 100,000),
//   never a re-sort. Every read-out is O(m) anyway, so a balanced tree would not change the
//   cost of "update then read out"; the flat arrays keep the estimators' loops cache-friendly.
//   fromRows (bulk load): O(n log n), two typed-array sorts and one merge.
import { SurvivalError } from './errors';

/** Outcome of one observation: 1 = event (death), 0 = censored. */
export type EventFlag = 0 | 1;

function checkObservation(time: number, event: number): void {
  if (!Number.isFinite(time) || time < 0) {
    throw new SurvivalError('INVALID_OBSERVATION', `time must be a finite non-negative number, got ${time}`);
  }
  if (event !== 0 && event !== 1) {
    throw new SurvivalError('INVALID_OBSERVATION', `event must be 0 or 1, got ${event}`);
  }
}

export class SurvivalTable {
  private t: number[] = [];
  private d: number[] = [];
  private c: number[] = [];
  private nTotal = 0;
  private dTotal = 0;
  private rev = 0;

  /** Bulk load from parallel columns (times, events 0/1): O(n log n). Validates every row. */
  static fromRows(times: ArrayLike<number>, events: ArrayLike<number>): SurvivalTable {
    if (times.length !== events.length) {
      throw new SurvivalError('INVALID_OBSERVATION', 'times and events differ in length');
    }
    let nd = 0;
    for (let i = 0; i < times.length; i++) {
      checkObservation(times[i], events[i]);
      nd += events[i];
    }
    const dt = new Float64Array(nd);
    const ct = new Float64Array(times.length - nd);
    for (let i = 0, a = 0, b = 0; i < times.length; i++) {
      if (events[i] === 1) dt[a++] = times[i];
      else ct[b++] = times[i];
    }
    dt.sort();
    ct.sort();
    const table = new SurvivalTable();
    // Merge the two sorted runs, run-length encoding equal times.
    let i = 0;
    let j = 0;
    while (i < dt.length || j < ct.length) {
      const time = j >= ct.length || (i < dt.length && dt[i] <= ct[j]) ? dt[i] : ct[j];
      let de = 0;
      let ce = 0;
      while (i < dt.length && dt[i] === time) {
        de++;
        i++;
      }
      while (j < ct.length && ct[j] === time) {
        ce++;
        j++;
      }
      table.t.push(time);
      table.d.push(de);
      table.c.push(ce);
    }
    table.nTotal = times.length;
    table.dTotal = nd;
    return table;
  }

  /**
   * Bulk load from grouped rows: row i stands for counts[i] observations at (times[i],
   * events[i]), rows of equal (time, event) adding up. The table is the one fromRows gives on
   * the rows expanded (it holds counts only, so any order of the rows gives the same table).
   * O(r log r) for r rows. Counts must be non-negative integers.
   */
  static fromCounts(times: ArrayLike<number>, events: ArrayLike<number>, counts: ArrayLike<number>): SurvivalTable {
    if (times.length !== events.length || times.length !== counts.length) {
      throw new SurvivalError('INVALID_OBSERVATION', 'times, events and counts differ in length');
    }
    const byTime = new Map<number, [number, number]>();
    let n = 0;
    let nd = 0;
    for (let i = 0; i < times.length; i++) {
      checkObservation(times[i], events[i]);
      const w = counts[i];
      if (!(Number.isInteger(w) && w >= 0)) throw new SurvivalError('INVALID_OBSERVATION', `count must be a non-negative integer, got ${w}`);
      if (w === 0) continue;
      const cell = byTime.get(times[i]) ?? byTime.set(times[i], [0, 0]).get(times[i])!;
      cell[events[i] === 1 ? 0 : 1] += w;
      n += w;
      nd += events[i] * w;
    }
    const table = new SurvivalTable();
    for (const time of Float64Array.from(byTime.keys()).sort()) {
      const [de, ce] = byTime.get(time)!;
      table.t.push(time);
      table.d.push(de);
      table.c.push(ce);
    }
    table.nTotal = n;
    table.dTotal = nd;
    return table;
  }

  /** Number of observations (patients). O(1). */
  get n(): number {
    return this.nTotal;
  }

  /** Number of events. O(1). */
  get events(): number {
    return this.dTotal;
  }

  /** A counter bumped by every add and remove: two equal versions of the same table hold the
   *  same rows. computeReadout uses it to reuse an unchanged group's Kaplan-Meier rows. O(1). */
  get version(): number {
    return this.rev;
  }

  /** Number of distinct observed times (rows). O(1). */
  get size(): number {
    return this.t.length;
  }

  /** Distinct times, ascending. A live read-only view: do not keep it across add/remove. O(1). */
  get times(): readonly number[] {
    return this.t;
  }

  /** Events per distinct time (view, as `times`). O(1). */
  get eventCounts(): readonly number[] {
    return this.d;
  }

  /** Censorings per distinct time (view, as `times`). O(1). */
  get censorCounts(): readonly number[] {
    return this.c;
  }

  /** Index of the first time >= time (binary search). O(log m). */
  private lowerBound(time: number): number {
    let lo = 0;
    let hi = this.t.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.t[mid] < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Add one observation. O(log m) at an existing time, plus an O(m) splice at a new one. */
  add(time: number, event: EventFlag): void {
    checkObservation(time, event);
    const k = this.lowerBound(time);
    if (k === this.t.length || this.t[k] !== time) {
      this.t.splice(k, 0, time);
      this.d.splice(k, 0, 0);
      this.c.splice(k, 0, 0);
    }
    if (event === 1) this.d[k]++;
    else this.c[k]++;
    this.nTotal++;
    this.dTotal += event;
    this.rev++;
  }

  /** Remove one observation (e.g. a cancelled death). Throws NOT_FOUND if the table holds
   *  no such (time, event). O(log m), plus an O(m) splice when the time's row empties. */
  remove(time: number, event: EventFlag): void {
    checkObservation(time, event);
    const k = this.lowerBound(time);
    if (k === this.t.length || this.t[k] !== time || (event === 1 ? this.d[k] : this.c[k]) === 0) {
      throw new SurvivalError('NOT_FOUND', `no ${event === 1 ? 'event' : 'censoring'} at time ${time} to remove`);
    }
    if (event === 1) this.d[k]--;
    else this.c[k]--;
    this.nTotal--;
    this.dTotal -= event;
    this.rev++;
    if (this.d[k] === 0 && this.c[k] === 0) {
      this.t.splice(k, 1);
      this.d.splice(k, 1);
      this.c.splice(k, 1);
    }
  }

  /** A deep copy. O(m). */
  clone(): SurvivalTable {
    const copy = new SurvivalTable();
    copy.t = this.t.slice();
    copy.d = this.d.slice();
    copy.c = this.c.slice();
    copy.nTotal = this.nTotal;
    copy.dTotal = this.dTotal;
    return copy;
  }
}
