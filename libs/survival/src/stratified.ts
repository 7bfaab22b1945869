// The stratified comparison of a DSMB report: the log-rank test and Cox model within the
// randomisation's strata (`followup stats --strata`, contract stats-cli.md part 2). Each stratum
// keeps its own risk sets and baseline hazard; the arms are compared within strata only.
import { coxFit, Ties } from './cox';
import { coxReadout } from './coxreadout';
import { SurvivalError } from './errors';
import { byLabel } from './labels';
import { confZ } from './km';
import { ChiSquareTest, logRankTest } from './logrank';
import { mergeTables, MergedTable } from './merge';
import type { CoxReadout } from './readout';
import { SurvivalTable } from './table';

/** A cohort as columns, one entry per patient. */
export interface CohortRows {
  readonly time: ArrayLike<number>;
  /** 1 = event, 0 = censored. */
  readonly event: ArrayLike<number>;
  readonly group: readonly string[];
  /**
   * Grouped rows: row r stands for count[r] patients alike (a read model's cell counts).
   * Absent: one patient per row. Every statistic is a function of the count tables, so the
   * grouped rows give the figures of the rows expanded.
   */
  readonly count?: ArrayLike<number>;
}

export interface StratifiedComparison {
  strata: string[];
  logRank: ChiSquareTest;
  cox: CoxReadout;
}

export interface StratifiedOptions {
  ties?: Ties;
  confLevel?: number;
}

/**
 * One SurvivalTable per group (in `groups` order, empty where a group has no row) from the
 * rows at `indices` (grouped rows weighted by their counts). Cost O(r log r) for r rows.
 */
export function groupTables(rows: CohortRows, indices: readonly number[], groups: readonly string[]): SurvivalTable[] {
  const position = new Map(groups.map((g, i) => [g, i]));
  const times: number[][] = groups.map(() => []);
  const events: number[][] = groups.map(() => []);
  const counts: number[][] = groups.map(() => []);
  for (const r of indices) {
    const g = position.get(rows.group[r]);
    if (g === undefined) throw new SurvivalError('INVALID_OBSERVATION', `row ${r}: group '${rows.group[r]}' is not among ${groups.join(', ')}`);
    times[g].push(rows.time[r]);
    events[g].push(rows.event[r]);
    if (rows.count) counts[g].push(rows.count[r]);
  }
  return groups.map((_, g) => (rows.count ? SurvivalTable.fromCounts(times[g], events[g], counts[g]) : SurvivalTable.fromRows(times[g], events[g])));
}

/** Row indices by key, keys in R's order of labels (labels.ts; the order changes no statistic, only the listing). */
export function partitionRows(keys: readonly string[]): Map<string, number[]> {
  const parts = new Map<string, number[]>();
  keys.forEach((key, r) => {
    const part = parts.get(key);
    if (part === undefined) parts.set(key, [r]);
    else part.push(r);
  });
  return new Map([...parts].sort(([a], [b]) => byLabel(a, b)));
}

/**
 * The stratified log-rank test and Cox model of the group factor.
 * Method: the strata are the observed combinations of the columns' values (R's
 * strata(COL1, COL2)); per stratum one merged table of the groups; the log-rank O, E and V
 * summed over strata (logRankTest), and the Cox partial likelihood summed over strata
 * (coxFit), Efron or Breslow ties, CI at confLevel; LR, Wald and score tests as summary(coxph).
 * Grouped rows (rows.count, integer case weights) give the figures of the rows expanded: the
 * tables hold counts only.
 * Assumes proportional hazards within strata (the baseline hazards may differ freely),
 * independent censoring; `groups` lists every group label, the reference first.
 * Reference: R survival 3.5 survdiff(Surv(time, status) ~ group + strata(COL1, COL2)) and
 * coxph(Surv(time, status) ~ group + strata(COL1, COL2), ties = ...); Therneau & Grambsch 2000,
 * section 3.1.2 (stratified Cox), Kalbfleisch & Prentice 2002, section 4.2.6.
 * Cost O(n log n) to build the tables, then as the unstratified test and model.
 */
export function stratifiedComparison(
  rows: CohortRows,
  columns: readonly string[],
  values: readonly (readonly string[])[],
  groups: readonly string[],
  options: StratifiedOptions = {},
): StratifiedComparison {
  const ties = options.ties ?? 'efron';
  if (values.length !== columns.length || columns.length === 0) {
    throw new SurvivalError('INVALID_OPTION', 'one column of stratum values per stratification factor is needed');
  }
  if (groups.length < 2) throw new SurvivalError('SINGLE_GROUP', 'a stratified comparison needs at least two groups');
  // One column: its values are the keys; several: their combination, unambiguously encoded.
  const keys = values.length === 1 ? values[0] : rows.group.map((_, r) => JSON.stringify(values.map((column) => column[r])));
  const strata: MergedTable[] = [];
  for (const indices of partitionRows(keys).values()) strata.push(mergeTables(groupTables(rows, indices, groups)));
  try {
    const logRank = logRankTest(strata);
    const fit = coxFit(strata, groups, { ties });
    return { strata: [...columns], logRank, cox: coxReadout(fit, groups, ties, confZ(options.confLevel ?? 0.95)) };
  } catch (err) {
    // A singular variance here means no death time in any stratum sees a group beside another.
    if (!(err instanceof SurvivalError && err.code === 'SINGULAR')) throw err;
    throw new SurvivalError(
      'SINGULAR',
      `the groups cannot be compared within strata of ${columns.join(', ')}: some group is never at risk beside another at a death in its stratum`,
    );
  }
}
