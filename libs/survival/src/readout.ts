// The survival read-out: everything `followup stats --json` prints and the projector serves,
// computed from one SurvivalTable per group. Pure: the same tables and options give the same
// object, whatever order the observations arrived in.
import { coxFit, Ties } from './cox';
import { twoSidedP, pchisqUpper } from './dist';
import { SurvivalError } from './errors';
import {
  AtRow,
  ConfType,
  confBand,
  confZ,
  curveQuantile,
  kaplanMeier,
  restrictedMean,
  survStdErr,
  survivalAt,
} from './km';
import { ChiSquareTest, logRankTest } from './logrank';
import { mergeTables } from './merge';
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
  coxInit?: Readonly<Record<string, number>>;
}

const byLabel = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Order groups as the contract lists them: reference first, then the others by label. */
export function orderGroups(labels: Iterable<string>, reference?: string): string[] {
  const sorted = [...labels].sort(byLabel);
  if (reference === undefined) return sorted;
  if (!sorted.includes(reference)) {
    throw new SurvivalError('UNKNOWN_REFERENCE', `reference group '${reference}' is not among the groups (${sorted.join(', ')})`);
  }
  return [reference, ...sorted.filter((g) => g !== reference)];
}

/** The warm start for the next read-out's Cox fit: the current coefficients by group. */
export function coxWarmStart(readout: SurvivalReadout): Record<string, number> {
  const init: Record<string, number> = {};
  for (const term of readout.cox?.terms ?? []) init[term.group] = term.coef;
  return init;
}

/**
 * Compute the full read-out from per-group tables.
 * Method: per group, Kaplan-Meier with Greenwood errors and `confType` limits at `confLevel`,
 * median with CI (quantile.survfit rule), survival at `at`, RMST to `tau`; across groups the
 * log-rank test and a Cox model against the reference (null for one group); over all rows the
 * reverse Kaplan-Meier median follow-up with quartiles (Schemper & Smith 1996).
 * Assumes right-censored data with non-negative times. Empty tables are left out.
 * Reference: the contract stats-cli.md, each field as R survival 3.5 computes it (see the
 * functions used). Cost O(sum of m_g + M k^2 * Cox iterations + |at| log m).
 */
export function computeReadout(groups: ReadonlyMap<string, SurvivalTable>, options: ReadoutOptions = {}): SurvivalReadout {
  const ties = options.ties ?? 'efron';
  const confType = options.confType ?? 'log';
  const z = confZ(options.confLevel ?? 0.95);
  const at = options.at ?? [];
  for (const t of at) {
    if (!(Number.isFinite(t) && t >= 0)) throw new SurvivalError('INVALID_OPTION', `--at times must be non-negative numbers, got ${t}`);
  }
  const present = [...groups.entries()].filter(([, tb]) => tb.n > 0).map(([g]) => g);
  if (present.length === 0) throw new SurvivalError('EMPTY', 'no observations');
  if (options.reference !== undefined && present.length < 2) {
    throw new SurvivalError('SINGLE_GROUP', `only one group ('${present[0]}'): a comparison needs at least two`);
  }
  const labels = orderGroups(present, options.reference);
  const tables = labels.map((g) => groups.get(g) as SurvivalTable);

  const groupReadouts = labels.map((group, gi) => groupReadout(group, tables[gi], confType, z, at, options.tau));
  const merged = mergeTables(tables);

  let logRank: ChiSquareTest | null = null;
  let cox: CoxReadout | null = null;
  if (labels.length > 1) {
    logRank = logRankTest(merged);
    const init = options.coxInit ? labels.slice(1).map((g) => options.coxInit?.[g] ?? 0) : undefined;
    const fit = coxFit(merged, labels, { ties, init });
    const terms: CoxTerm[] = fit.coef.map((coef, i) => {
      const stdErr = Math.sqrt(fit.variance[i][i]);
      const zStat = coef / stdErr;
      return {
        group: labels[i + 1],
        coef,
        stdErr,
        hazardRatio: Math.exp(coef),
        lower: Math.exp(coef - z * stdErr),
        upper: Math.exp(coef + z * stdErr),
        z: zStat,
        pValue: twoSidedP(zStat),
      };
    });
    const test = (chiSquare: number): ChiSquareTest => ({ chiSquare, df: fit.df, pValue: pchisqUpper(chiSquare, fit.df) });
    cox = {
      reference: labels[0],
      ties,
      terms,
      likelihoodRatio: test(fit.likelihoodRatio),
      wald: test(fit.wald),
      score: test(fit.score),
    };
  }

  // Reverse Kaplan-Meier: censorings are the "events" and deaths censor follow-up.
  const reverse = kaplanMeier(merged.time, merged.totalCensor, merged.totalEvent);
  const followUp: FollowUp = {
    method: 'reverse-km',
    median: curveQuantile(reverse.time, reverse.surv, 0.5),
    q1: curveQuantile(reverse.time, reverse.surv, 0.25),
    q3: curveQuantile(reverse.time, reverse.surv, 0.75),
  };

  let n = 0;
  let events = 0;
  for (const tb of tables) {
    n += tb.n;
    events += tb.events;
  }
  return { confType, ties, n, events, groups: groupReadouts, logRank, cox, followUp };
}

function groupReadout(
  group: string,
  table: SurvivalTable,
  confType: ConfType,
  z: number,
  at: readonly number[],
  tau: number | undefined,
): GroupReadout {
  const curve = kaplanMeier(table.times, table.eventCounts, table.censorCounts);
  const band = confBand(curve, confType, z);
  const m = curve.surv.length;
  const km: KmRow[] = new Array<KmRow>(m);
  for (let i = 0; i < m; i++) {
    const prev = i > 0 ? km[i - 1] : undefined;
    if (prev !== undefined && curve.nEvent[i] === 0) {
      // No event: S, its error and limits are the previous row's. Reusing those values (not
      // recomputing them) spares the garbage collector a boxed number per field and row.
      km[i] = {
        time: curve.time[i],
        nRisk: curve.nRisk[i],
        nEvent: 0,
        nCensor: curve.nCensor[i],
        survival: prev.survival,
        stdErr: prev.stdErr,
        lower: prev.lower,
        upper: prev.upper,
      };
      continue;
    }
    const s = curve.surv[i];
    km[i] = {
      time: curve.time[i],
      nRisk: curve.nRisk[i],
      nEvent: curve.nEvent[i],
      nCensor: curve.nCensor[i],
      survival: s,
      stdErr: survStdErr(s, curve.varLog[i]),
      lower: Number.isNaN(band.lower[i]) ? null : band.lower[i],
      upper: Number.isNaN(band.upper[i]) ? null : band.upper[i],
    };
  }
  const median: MedianEstimate = {
    estimate: curveQuantile(curve.time, curve.surv, 0.5),
    lower: curveQuantile(curve.time, band.lower, 0.5),
    upper: curveQuantile(curve.time, band.upper, 0.5),
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
