// The union of several groups' time tables: one row per distinct time over all groups, with
// each group's number at risk and events. The input of the log-rank test and Cox model,
// which compare groups within each risk set; also carries the pooled censorings for the
// reverse Kaplan-Meier follow-up.
import { SurvivalTable } from './table';

export interface MergedTable {
  /** Distinct times over all groups, ascending. */
  readonly time: Float64Array;
  /** nRisk[g][i]: group g's number at risk at time[i]. */
  readonly nRisk: Float64Array[];
  /** nEvent[g][i]: group g's events at time[i]. */
  readonly nEvent: Float64Array[];
  /** Pooled events and censorings at time[i]. */
  readonly totalEvent: Float64Array;
  readonly totalCensor: Float64Array;
}

/** k-way merge of the groups' sorted rows. O(M k) for M distinct times over k groups; allocates
 *  fresh arrays (the read-out uses mergeRiskSets, which reuses its buffers). */
export function mergeTables(tables: readonly SurvivalTable[]): MergedTable {
  let bound = 0;
  for (const tb of tables) bound += tb.size;
  const all = columns(tables.length, bound);
  const { rows } = kWayMerge(tables, all, null);
  return view(all, rows);
}

interface Columns {
  time: Float64Array;
  nRisk: Float64Array[];
  nEvent: Float64Array[];
  totalEvent: Float64Array;
  totalCensor: Float64Array;
}

function columns(k: number, length: number): Columns {
  const nRisk: Float64Array[] = [];
  const nEvent: Float64Array[] = [];
  for (let g = 0; g < k; g++) {
    nRisk.push(new Float64Array(length));
    nEvent.push(new Float64Array(length));
  }
  return { time: new Float64Array(length), nRisk, nEvent, totalEvent: new Float64Array(length), totalCensor: new Float64Array(length) };
}

/** The first `rows` rows of `c` as a MergedTable (views, no copy). O(k). */
function view(c: Columns, rows: number): MergedTable {
  return {
    time: c.time.subarray(0, rows),
    nRisk: c.nRisk.map((a) => a.subarray(0, rows)),
    nEvent: c.nEvent.map((a) => a.subarray(0, rows)),
    totalEvent: c.totalEvent.subarray(0, rows),
    totalCensor: c.totalCensor.subarray(0, rows),
  };
}

/**
 * The merge itself, into columns of length >= the sum of the tables' sizes. Without `events`,
 * every column of `all` gets one row per distinct time. With `events`, `all` gets only time,
 * totalEvent and totalCensor (every distinct time), and `events` gets every column for the
 * rows with at least one death, packed from index 0. Counts are integers, so the arithmetic
 * is exact and both layouts hold the same numbers. Cost O(M k), no allocation beyond O(k).
 */
function kWayMerge(tables: readonly SurvivalTable[], all: Columns, events: Columns | null): { rows: number; eventRows: number } {
  const k = tables.length;
  if (k === 2) return twoWayMerge(tables[0], tables[1], all, events);
  const ts: (readonly number[])[] = [];
  const ds: (readonly number[])[] = [];
  const cs: (readonly number[])[] = [];
  const sizes: number[] = [];
  const pos: number[] = [];
  const atRisk: number[] = [];
  for (let g = 0; g < k; g++) {
    ts.push(tables[g].times);
    ds.push(tables[g].eventCounts);
    cs.push(tables[g].censorCounts);
    sizes.push(tables[g].size);
    pos.push(0);
    atRisk.push(tables[g].n);
  }
  const perGroup = events ?? all;
  let m = 0;
  let e = 0;
  for (;;) {
    let next = Infinity;
    for (let g = 0; g < k; g++) {
      if (pos[g] < sizes[g] && ts[g][pos[g]] < next) next = ts[g][pos[g]];
    }
    if (next === Infinity) break;
    // With `events`, the per-group columns are written at the next event row and simply
    // overwritten by the following time when this one turns out to have no death.
    const row = events ? e : m;
    let dAll = 0;
    let cAll = 0;
    for (let g = 0; g < k; g++) {
      const p = pos[g];
      perGroup.nRisk[g][row] = atRisk[g];
      if (p < sizes[g] && ts[g][p] === next) {
        const d = ds[g][p];
        const c = cs[g][p];
        perGroup.nEvent[g][row] = d;
        dAll += d;
        cAll += c;
        atRisk[g] -= d + c;
        pos[g] = p + 1;
      } else {
        perGroup.nEvent[g][row] = 0;
      }
    }
    all.time[m] = next;
    all.totalEvent[m] = dAll;
    all.totalCensor[m] = cAll;
    if (events && dAll > 0) {
      events.time[e] = next;
      events.totalEvent[e] = dAll;
      events.totalCensor[e] = cAll;
    }
    if (dAll > 0) e++;
    m++;
  }
  return { rows: m, eventRows: e };
}

/** kWayMerge for two tables (the two-arm trial), with the loop state in locals: the same
 *  rows and numbers, about three times faster. Cost O(M). */
function twoWayMerge(a: SurvivalTable, b: SurvivalTable, all: Columns, events: Columns | null): { rows: number; eventRows: number } {
  const ta = a.times;
  const da = a.eventCounts;
  const ca = a.censorCounts;
  const tb = b.times;
  const db = b.eventCounts;
  const cb = b.censorCounts;
  const na = ta.length;
  const nb = tb.length;
  const perGroup = events ?? all;
  const riskA = perGroup.nRisk[0];
  const riskB = perGroup.nRisk[1];
  const eventA = perGroup.nEvent[0];
  const eventB = perGroup.nEvent[1];
  const time = all.time;
  const totalEvent = all.totalEvent;
  const totalCensor = all.totalCensor;
  const packed = events !== null;
  const eventTime = (events ?? all).time;
  const eventTotal = (events ?? all).totalEvent;
  const eventCensor = (events ?? all).totalCensor;
  let atRiskA = a.n;
  let atRiskB = b.n;
  let i = 0;
  let j = 0;
  let m = 0;
  let e = 0;
  while (i < na || j < nb) {
    const x = i < na ? ta[i] : Infinity;
    const y = j < nb ? tb[j] : Infinity;
    const next = x <= y ? x : y;
    const row = packed ? e : m;
    riskA[row] = atRiskA;
    riskB[row] = atRiskB;
    let dA = 0;
    let cA = 0;
    let dB = 0;
    let cB = 0;
    if (x === next) {
      dA = da[i];
      cA = ca[i];
      atRiskA -= dA + cA;
      i++;
    }
    if (y === next) {
      dB = db[j];
      cB = cb[j];
      atRiskB -= dB + cB;
      j++;
    }
    eventA[row] = dA;
    eventB[row] = dB;
    const dAll = dA + dB;
    const cAll = cA + cB;
    time[m] = next;
    totalEvent[m] = dAll;
    totalCensor[m] = cAll;
    if (dAll > 0) {
      if (packed) {
        eventTime[e] = next;
        eventTotal[e] = dAll;
        eventCensor[e] = cAll;
      }
      e++;
    }
    m++;
  }
  return { rows: m, eventRows: e };
}

/** What computeReadout needs from the union of the groups. */
export interface RiskSets {
  /** Every distinct time with the pooled events and censorings (for the reverse KM). */
  readonly time: Float64Array;
  readonly totalEvent: Float64Array;
  readonly totalCensor: Float64Array;
  /** The rows with at least one death: all that the log-rank test and the Cox model read
   *  (a row without deaths adds nothing to either), in MergedTable form. */
  readonly eventRows: MergedTable;
}

// Buffers reused by mergeRiskSets from call to call; reallocated (doubling) when too small.
let capacity = 0;
let bufAll: Columns = columns(0, 0);
let bufEvents: Columns = columns(0, 0);

/**
 * mergeTables for the read-out: the pooled columns at every distinct time, and the per-group
 * columns at the death times only, written into module buffers reused between calls (a
 * read-out allocates no O(M) array here). The views are valid until the next call.
 * Cost O(M k); no allocation once the buffers are large enough.
 */
export function mergeRiskSets(tables: readonly SurvivalTable[]): RiskSets {
  const k = tables.length;
  let bound = 0;
  for (const tb of tables) bound += tb.size;
  if (bound > capacity || bufEvents.nRisk.length < k) {
    capacity = Math.max(bound, capacity * 2, 1024);
    bufAll = columns(0, capacity);
    bufEvents = columns(Math.max(k, bufEvents.nRisk.length), capacity);
  }
  const events: Columns = { ...bufEvents, nRisk: bufEvents.nRisk.slice(0, k), nEvent: bufEvents.nEvent.slice(0, k) };
  const { rows, eventRows } = kWayMerge(tables, bufAll, events);
  return {
    time: bufAll.time.subarray(0, rows),
    totalEvent: bufAll.totalEvent.subarray(0, rows),
    totalCensor: bufAll.totalCensor.subarray(0, rows),
    eventRows: view(events, eventRows),
  };
}
