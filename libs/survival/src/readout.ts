// The survival read-out: everything `followup stats --json` prints and the projector serves,
// computed from one SurvivalTable per group. Pure: the same tables and options give the same
// object, whatever order the observations arrived in.
import { coxFit, Ties } from './cox';
import { coxReadout } from './coxreadout';
import { SurvivalError } from './errors';
import { byLabel } from './labels';
import { AtRow, atTimes, ConfType, confLimitsInto, confZ, curveQuantile, KmCurve, restrictedMean, survivalAt } from './km';
import { ChiSquareTest, logRankTest } from './logrank';
import { mergeRiskSets, RiskSets } from './merge';
import { SurvivalTable } from './table';

export interface KmRow {
  time: number;
  nRisk: number;
  nEvent: number;
  nCensor: number;
  survival: number;
  stdErr: number | null;
  lower: number | null;
  upper: number | null;
}

export interface MedianEstimate {
  estimate: number | null;
  lower: number | null;
  upper: number | null;
}

export interface RmstEstimate {
  tau: number;
  estimate: number;
  stdErr: number;
}

export interface GroupReadout {
  group: string;
  n: number;
  events: number;
  km: KmRow[];
  median: MedianEstimate;
  at: AtRow[];
  /** Present only when tau is given. */
  rmst?: RmstEstimate;
}

export interface CoxTerm {
  group: string;
  coef: number;
  stdErr: number;
  hazardRatio: number;
  lower: number;
  upper: number;
  z: number;
  pValue: number;
}

export interface CoxReadout {
  reference: string;
  ties: Ties;
  terms: CoxTerm[];
  likelihoodRatio: ChiSquareTest;
  wald: ChiSquareTest;
  score: ChiSquareTest;
}

export interface FollowUp {
  method: 'reverse-km';
  median: number | null;
  q1: number | null;
  q3: number | null;
}

/** The contract's `followup stats --json` document. */
export interface SurvivalReadout {
  confType: ConfType;
  ties: Ties;
  n: number;
  events: number;
  groups: GroupReadout[];
  logRank: ChiSquareTest | null;
  cox: CoxReadout | null;
  followUp: FollowUp;
  /**
   * Only with `inestimableAsNull`, and only when one of them is missing: why `logRank` or `cox`
   * is null although there are groups to compare (`CODE: message` of the SurvivalError that
   * estimating it raised).
   */
  notEstimable?: { logRank: string | null; cox: string | null };
}

export interface ReadoutOptions {
  /** Reference level for Cox and the first group listed; default the first label in sort order.
   *  Giving one asks for a comparison: a single group is then a SINGLE_GROUP error. */
  reference?: string;
  ties?: Ties;
  confType?: ConfType;
  confLevel?: number;
  /** Times for survival-at rows. */
  at?: readonly number[];
  /** Restriction time for the RMST; without it no `rmst` field. */
  tau?: number;
  /** Warm start for Cox: coefficient per non-reference group, e.g. coxWarmStart(previous). */
  coxInit?: ReadonlyMap<string, number>;
  /**
   * A comparison that cannot be estimated from the data so far (no deaths yet: no log-rank
   * test; a group without deaths: an infinite hazard ratio) is null, with the reason in
   * `notEstimable`, instead of a SurvivalError. The live read-out asks for this, so that a
   * board's first look still shows the Kaplan-Meier curves; `followup stats` does not (exit 2).
   */
  inestimableAsNull?: boolean;
}

/** Order groups as the contract lists them: reference first, then the others by label (R's order: labels.ts). */
export function orderGroups(labels: Iterable<string>, reference?: string): string[] {
  const sorted = [...labels].sort(byLabel);
  if (reference === undefined) return sorted;
  if (!sorted.includes(reference)) {
    throw new SurvivalError('UNKNOWN_REFERENCE', `reference group '${reference}' is not among the groups (${sorted.join(', ')})`);
  }
  return [reference, ...sorted.filter((g) => g !== reference)];
}

/**
 * The warm start for the next read-out's Cox fit: the current coefficients by group. A Map,
 * since groups are arm labels: in a plain object a group `constructor` read back Object's
 * constructor as its coefficient, and `__proto__` could not be set at all.
 */
export function coxWarmStart(readout: SurvivalReadout): Map<string, number> {
  return new Map((readout.cox?.terms ?? []).map((term) => [term.group, term.coef]));
}

/**
 * Compute the full read-out from per-group tables.
 * Method: per group, Kaplan-Meier with Greenwood errors and `confType` limits at `confLevel`,
 * median with CI (quantile.survfit rule), survival at `at`, RMST to `tau`; across groups the
 * log-rank test and a Cox model against the reference (null for one group); over all rows the
 * reverse Kaplan-Meier median follow-up with quartiles (Schemper & Smith 1996).
 * Assumes right-censored data with non-negative times. Empty tables are left out.
 * Reference: the contract stats-cli.md, each field as R survival 3.5 computes it (see the
 * functions used).
 *
 * Cost, with m_g distinct times in group g, M over all groups, E of them with deaths, D deaths:
 * - per group whose table changed since the last read-out (or first seen, or asked with other
 *   options): O(m_g), one pass building the `km` rows, the bulk of the time (groupReadout);
 * - per unchanged group: O(1). Its GroupReadout is reused from the previous read-out (tracked
 *   by SurvivalTable.version), so the `km` rows of unchanged groups are shared between
 *   read-outs, and the last read-out of each live table is kept: treat read-outs as
 *   immutable;
 * - the merge of the groups (k >= 2): O(M k), into buffers reused between calls;
 * - log-rank: O(E k^2); Cox: O(E k^2 + D k^2) per likelihood evaluation, one log per death
 *   (Efron); 3 evaluations after one new patient with a warm start (at 0 for the score test,
 *   at the start, after one Newton step), 3 or more from zero;
 * - reverse Kaplan-Meier follow-up: O(M) for the curve, O(log M) per quartile.
 * Measured on the benchmark's 100,000 patients in two arms (m_g = 43,000, M = 75,000,
 * E = 39,000, D = 48,000; 2 loaded cores): merge 2 ms, log-rank 0.5 ms, Cox 4 ms, reverse KM
 * under 1 ms; a changed arm about 7 ms. Before this layout, 60 ms for the whole read-out.
 */
export function computeReadout(groups: ReadonlyMap<string, SurvivalTable>, options: ReadoutOptions = {}): SurvivalReadout {
  const ties = options.ties ?? 'efron';
  const confType = options.confType ?? 'log';
  const z = confZ(options.confLevel ?? 0.95);
  const at = atTimes(options.at);
  const present = [...groups.entries()].filter(([, tb]) => tb.n > 0).map(([g]) => g);
  if (present.length === 0) throw new SurvivalError('EMPTY', 'no observations');
  if (options.reference !== undefined && present.length < 2) {
    throw new SurvivalError('SINGLE_GROUP', `only one group ('${present[0]}'): a comparison needs at least two`);
  }
  const labels = orderGroups(present, options.reference);
  const tables = labels.map((g) => groups.get(g) as SurvivalTable);

  const groupReadouts = labels.map((group, gi) => cachedGroupReadout(group, tables[gi], { confType, z, at, tau: options.tau }));
  // One group: no comparison, and the group's own table is the pooled one.
  const sets = labels.length > 1 ? mergeRiskSets(tables) : null;

  let logRank: ChiSquareTest | null = null;
  let cox: CoxReadout | null = null;
  const notEstimable = { logRank: null as string | null, cox: null as string | null };
  // Runs one estimate; with inestimableAsNull, a SurvivalError becomes null and its reason.
  const estimate = <T>(part: keyof typeof notEstimable, f: () => T): T | null => {
    if (!options.inestimableAsNull) return f();
    try {
      return f();
    } catch (e) {
      if (!(e instanceof SurvivalError)) throw e;
      notEstimable[part] = `${e.code}: ${e.message}`;
      return null;
    }
  };
  const eventRows = labels.length > 1 ? (sets as RiskSets).eventRows : null;
  if (eventRows !== null) logRank = estimate('logRank', () => logRankTest(eventRows));
  const fit =
    eventRows === null
      ? null
      : estimate('cox', () => {
          const init = options.coxInit ? labels.slice(1).map((g) => options.coxInit?.get(g) ?? 0) : undefined;
          return coxFit(eventRows, labels, { ties, init });
        });
  if (fit !== null) cox = coxReadout(fit, labels, ties, z);

  // Reverse Kaplan-Meier: censorings are the "events" and deaths censor follow-up. Only S is
  // needed, computed as kaplanMeier does (the same operations), into a reused buffer.
  const allTime: ArrayLike<number> = sets ? sets.time : tables[0].times;
  const allEvent: ArrayLike<number> = sets ? sets.totalEvent : tables[0].eventCounts;
  const allCensor: ArrayLike<number> = sets ? sets.totalCensor : tables[0].censorCounts;
  const mAll = allTime.length;
  const reverseSurv = scratch(mAll).surv.subarray(0, mAll);
  let atRisk = 0;
  for (const tb of tables) atRisk += tb.n;
  let s = 1;
  for (let i = 0; i < mAll; i++) {
    const d = allCensor[i];
    if (d > 0) s *= (atRisk - d) / atRisk;
    reverseSurv[i] = s;
    atRisk -= d + allEvent[i];
  }
  const followUp: FollowUp = {
    method: 'reverse-km',
    median: curveQuantile(allTime, reverseSurv, 0.5, true),
    q1: curveQuantile(allTime, reverseSurv, 0.25, true),
    q3: curveQuantile(allTime, reverseSurv, 0.75, true),
  };

  let n = 0;
  let events = 0;
  for (const tb of tables) {
    n += tb.n;
    events += tb.events;
  }
  const readout: SurvivalReadout = { confType, ties, n, events, groups: groupReadouts, logRank, cox, followUp };
  // Present only when something is missing, so an estimable read-out keeps the contract's shape
  // (the API's by-arm read-out equals `followup stats --json`).
  if (notEstimable.logRank !== null || notEstimable.cox !== null) readout.notEstimable = notEstimable;
  return readout;
}

/** Per-row work arrays, reused between read-outs (grown by doubling). Valid within one call. */
interface Scratch {
  nRisk: Float64Array;
  surv: Float64Array;
  varLog: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
}

let scratchBuffers: Scratch = allocScratch(0);

function allocScratch(size: number): Scratch {
  return {
    nRisk: new Float64Array(size),
    surv: new Float64Array(size),
    varLog: new Float64Array(size),
    lower: new Float64Array(size),
    upper: new Float64Array(size),
  };
}

function scratch(size: number): Scratch {
  if (scratchBuffers.surv.length < size) scratchBuffers = allocScratch(Math.max(size, 2 * scratchBuffers.surv.length, 1024));
  return scratchBuffers;
}

/**
 * Every `km` row whose numbers are all defined is made here, so those rows share one object
 * shape (V8 hidden class) whose number fields stay "double" fields: V8 then allocates each
 * row with its boxed numbers in one piece and, since rows outlive the young generation (a
 * read-out is kept), moves the whole allocation site to the old generation after a few
 * read-outs, so the scavenger no longer copies them. A single null stored through this
 * shape would turn the fields into "tagged" ones for the rest of the process, and every
 * row's numbers into separate young boxes referenced from old rows: measured, that doubles
 * the garbage-collection time of a read-out. Rows with a null therefore come from
 * nullableKmRow. Both give plain objects with the same keys in the same order (the same
 * JSON, equal under toEqual and toStrictEqual).
 */
function kmRow(time: number, nRisk: number, nEvent: number, nCensor: number, survival: number, stdErr: number, lower: number, upper: number): KmRow {
  return { time, nRisk, nEvent, nCensor, survival, stdErr, lower, upper };
}

/** The shape of the rows with a null (S = 0, or S = 1 with log-log limits): a class, so that
 *  it has its own hidden class, separate from kmRow's. */
class NullableKmRow implements KmRow {
  constructor(
    public time: number,
    public nRisk: number,
    public nEvent: number,
    public nCensor: number,
    public survival: number,
    public stdErr: number | null,
    public lower: number | null,
    public upper: number | null,
  ) {}
}

/** A row with a null among stdErr, lower and upper; rare (the tail of a curve that reaches 0,
 *  the first rows of a log-log band). Its prototype is reset to Object.prototype so that it is
 *  a plain object like kmRow's (the fields keep the class's hidden class lineage). */
function nullableKmRow(
  time: number,
  nRisk: number,
  nEvent: number,
  nCensor: number,
  survival: number,
  stdErr: number | null,
  lower: number | null,
  upper: number | null,
): KmRow {
  return Object.setPrototypeOf(new NullableKmRow(time, nRisk, nEvent, nCensor, survival, stdErr, lower, upper), Object.prototype) as KmRow;
}

/** The last GroupReadout computed for a table, with what it was computed from. */
/** What one group's read-out is cut by, besides its table: the band, the `at` times and the RMST's tau. */
interface GroupCut {
  confType: ConfType;
  z: number;
  at: readonly number[];
  tau: number | undefined;
}

interface CachedGroup extends GroupCut {
  version: number;
  group: string;
  readout: GroupReadout;
}

// Keyed by table identity: an entry goes when its table is garbage collected.
const groupCache = new WeakMap<SurvivalTable, CachedGroup>();

/** groupReadout, reused while the table (by version) and the options are unchanged. O(1) on
 *  a hit (plus O(|at|) to compare the at times), groupReadout's cost on a miss. */
function cachedGroupReadout(group: string, table: SurvivalTable, cut: GroupCut): GroupReadout {
  const { confType, z, at, tau } = cut;
  const hit = groupCache.get(table);
  if (
    hit !== undefined &&
    hit.version === table.version &&
    hit.group === group &&
    hit.confType === confType &&
    hit.z === z &&
    hit.tau === tau &&
    hit.at.length === at.length &&
    hit.at.every((t, i) => t === at[i])
  ) {
    return hit.readout;
  }
  const readout = groupReadout(group, table, cut);
  groupCache.set(table, { version: table.version, group, confType, z, at: [...at], tau, readout });
  return readout;
}

function nullIfNaN(x: number): number | null {
  return x === x ? x : null;
}

/**
 * One group's read-out. A single pass over the table computes the Kaplan-Meier estimate, the
 * Greenwood variance (as kaplanMeier), the confidence band (as confBand) and the `km` row
 * objects; the median and the `at` rows then search those arrays, the RMST makes one more
 * pass up to tau. The arithmetic is kaplanMeier's, confBand's and survStdErr's, operation
 * for operation, so the numbers are identical to theirs (the plain versions are test code,
 * test/km-reference.ts, and readout-reference.spec.ts holds this to them bit for bit).
 * Cost O(m), no O(m) allocation but the rows themselves (the work arrays are reused). Measured
 * on the 2-core benchmark machine, m = 43,000: about 3 ms of arithmetic and 3 ms to allocate
 * the rows, plus their share of garbage collection; the median is O(log m) for S and one
 * O(m) scan per band limit (about 0.4 ms each); each `at` time O(log m).
 */

function groupReadout(group: string, table: SurvivalTable, { confType, z, at, tau }: GroupCut): GroupReadout {
  const time = table.times;
  const nEvent = table.eventCounts;
  const nCensor = table.censorCounts;
  const m = time.length;
  const buf = scratch(m);
  const nRiskArr = buf.nRisk;
  const survArr = buf.surv;
  const varLogArr = buf.varLog;
  const lowerArr = buf.lower;
  const upperArr = buf.upper;
  const km: KmRow[] = new Array<KmRow>(m);
  let atRisk = table.n;
  let s = 1;
  let v = 0;
  // S, its standard error and limits at the last row with an event (or the first row); rows
  // without an event repeat them.
  let survival = 1;
  let stdErr = 0;
  let lower = 0;
  let upper = 0;
  let anyNull = false; // stdErr, lower or upper undefined (NaN here, null in the row)
  for (let i = 0; i < m; i++) {
    const d = nEvent[i];
    const c = nCensor[i];
    nRiskArr[i] = atRisk;
    if (d > 0) {
      s *= (atRisk - d) / atRisk;
      v = atRisk > d ? v + d / (atRisk * (atRisk - d)) : Infinity;
    }
    survArr[i] = s;
    varLogArr[i] = v;
    if (d > 0 || i === 0) {
      const seLog = Math.sqrt(v);
      confLimitsInto(s, seLog, confType, z, lowerArr, upperArr, i);
      const se = s * seLog; // survStdErr
      survival = s;
      stdErr = Number.isFinite(se) ? se : NaN;
      lower = lowerArr[i];
      upper = upperArr[i];
      anyNull = stdErr !== stdErr || lower !== lower || upper !== upper;
    } else {
      lowerArr[i] = lower;
      upperArr[i] = upper;
    }
    km[i] = anyNull
      ? nullableKmRow(time[i], atRisk, d, c, survival, nullIfNaN(stdErr), nullIfNaN(lower), nullIfNaN(upper))
      : kmRow(time[i], atRisk, d, c, survival, stdErr, lower, upper);
    atRisk -= d + c;
  }
  const curve: KmCurve = {
    n: table.n,
    time,
    nRisk: nRiskArr.subarray(0, m),
    nEvent,
    nCensor,
    surv: survArr.subarray(0, m),
    varLog: varLogArr.subarray(0, m),
  };
  const band = { lower: lowerArr.subarray(0, m), upper: upperArr.subarray(0, m) };
  const median: MedianEstimate = {
    estimate: curveQuantile(time, curve.surv, 0.5, true),
    lower: curveQuantile(time, band.lower, 0.5),
    upper: curveQuantile(time, band.upper, 0.5),
  };
  const out: GroupReadout = {
    group,
    n: table.n,
    events: table.events,
    km,
    median,
    at: at.map((t) => survivalAt(curve, band, t)),
  };
  if (tau !== undefined) out.rmst = restrictedMean(curve, tau);
  return out;
}
