import type { Result, TrialRegistered } from '@trial/contracts';
import type { Completeness } from '@trial/followup';
import { computeReadout, ConfType, orderGroups, SurvivalError, SurvivalErrorCode, SurvivalReadout, SurvivalTable, Ties } from '@trial/survival';
import type { ClosedAnalysis } from './closed';
import type { TrialCohort } from './cohort';

/** The query parameters that mean what the `followup stats` flags mean. */
export interface ReadoutQuery {
  at?: readonly number[];
  tau?: number;
  confType?: ConfType;
  ties?: Ties;
}

/** Why a read-out cannot be given (too few groups, an arm without deaths for Cox, ...). */
export interface ReadoutProblem {
  code: SurvivalErrorCode;
  message: string;
}
export type ReadoutResult = Result<SurvivalReadout, ReadoutProblem>;

export interface AccrualRow {
  site: string;
  month: string;
  n: number;
}
export interface DeathRate {
  arm: string;
  deaths: number;
  personYears: number;
  per100PersonYears: number | null;
}
export interface AtRiskTable {
  months: number[];
  groups: Array<{ group: string; nRisk: number[] }>;
}

/**
 * Everything the projector keeps for a trial, unblinded. Views for each role are cut from it
 * (`blindedView`), so the monitor's figures are by construction the pooled part of the same
 * state the DSMB sees.
 */
export interface TrialAnalysis {
  trialId: string;
  design: TrialRegistered | null;
  eventsApplied: number;
  dataComplete: Completeness;
  byArm: ReadoutResult;
  pooled: ReadoutResult;
  accrual: { total: number; byArm: Array<{ arm: string; n: number }>; bySiteMonth: AccrualRow[] };
  deathRates: DeathRate[];
  atRisk: AtRiskTable;
  /**
   * The pooled figures the monitor's view is cut from, computed from the pooled table and
   * totals only, never picked out of the by-arm lists by label: an arm labelled `all` was
   * taken for the pooled row.
   */
  pooledDeathRate: DeathRate;
  pooledAtRisk: AtRiskTable;
  /**
   * The closed report's stratified, subgroup and competing-risks figures (closed.ts), by arm
   * and pooled; present only when asked for and the trial has an analysis plan (absent for v1).
   */
  closed?: ClosedAnalysis;
}

export interface AnalysisContext {
  trialId: string;
  design: TrialRegistered | null;
  eventsApplied: number;
  dataComplete: Completeness;
}

/** Average Gregorian month, so "6 months" is the same number of days in every trial. */
export const DAYS_PER_MONTH = 365.25 / 12;
const DAYS_PER_YEAR = 365.25;

/** The full analysis of a cohort with the read-out defaults (or `query`). Pure. */
export function analyse(cohort: TrialCohort, ctx: AnalysisContext, query: ReadoutQuery = {}): TrialAnalysis {
  const arms = armOrder(cohort, ctx.design);
  const rows = cohort.accrualRows();
  return {
    ...ctx,
    byArm: readoutByArm(cohort, ctx.design, query),
    pooled: pooledReadout(cohort, query),
    accrual: {
      total: cohort.pooled.n,
      byArm: arms.map((arm) => ({ arm, n: cohort.arms.get(arm)?.n ?? 0 })),
      bySiteMonth: rows,
    },
    deathRates: arms.map((arm) => deathRate(arm, cohort.arms.get(arm), cohort.followUpDays(arm))),
    atRisk: atRiskTable([...arms.map((a) => [a, cohort.arms.get(a)] as const), ['all', cohort.pooled] as const]),
    pooledDeathRate: deathRate('all', cohort.pooled, cohort.pooledFollowUpDays()),
    pooledAtRisk: atRiskTable([['all', cohort.pooled]]),
  };
}

/** By arm, reference arm first (from TrialRegistered; without one yet, labels in order). */
export function readoutByArm(cohort: TrialCohort, design: TrialRegistered | null, query: ReadoutQuery): ReadoutResult {
  // A board's early look (no deaths yet, or none in one arm) still gets the curves: the
  // comparison that cannot be estimated yet is null with its reason (notEstimable).
  return attempt(() => computeReadout(cohort.arms, { ...query, reference: design?.referenceArm, inestimableAsNull: true }));
}

/** One group `all`: the blinded read-out (no comparison exists with one group). */
export function pooledReadout(cohort: TrialCohort, query: ReadoutQuery): ReadoutResult {
  return attempt(() => computeReadout(new Map([['all', cohort.pooled]]), query));
}

function attempt(f: () => SurvivalReadout): ReadoutResult {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (e instanceof SurvivalError) return { ok: false, error: { code: e.code, message: e.message } };
    throw e;
  }
}

/** Design arms (reference first), then any arm seen in the data but not in the design. */
function armOrder(cohort: TrialCohort, design: TrialRegistered | null): string[] {
  const labels = new Set([...(design?.arms ?? []), ...cohort.arms.keys()]);
  const ref = design?.referenceArm;
  return orderGroups(labels, ref !== undefined && labels.has(ref) ? ref : undefined);
}

function deathRate(arm: string, table: SurvivalTable | undefined, days: number): DeathRate {
  const deaths = table?.events ?? 0;
  const personYears = days / DAYS_PER_YEAR;
  return { arm, deaths, personYears, per100PersonYears: personYears > 0 ? (100 * deaths) / personYears : null };
}

/** Number at risk at 0, 6, 12, ... months, up to the longest follow-up. */
export function atRiskTable(groups: ReadonlyArray<readonly [string, SurvivalTable | undefined]>): AtRiskTable {
  let maxTime = 0;
  for (const [, t] of groups) if (t && t.size > 0) maxTime = Math.max(maxTime, t.times[t.size - 1]);
  const months: number[] = [];
  for (let m = 0; m * DAYS_PER_MONTH <= maxTime; m += 6) months.push(m);
  return { months, groups: groups.map(([group, t]) => ({ group, nRisk: months.map((m) => (t ? atRisk(t, m * DAYS_PER_MONTH) : 0)) })) };
}

/** Patients whose time is >= t (R's n.risk at t). O(m). */
function atRisk(t: SurvivalTable, at: number): number {
  let n = 0;
  const times = t.times;
  for (let i = times.length - 1; i >= 0 && times[i] >= at; i--) n += t.eventCounts[i] + t.censorCounts[i];
  return n;
}

/**
 * The monitor's view: pooled read-out as the single group `all`, no arm comparison, no per-arm
 * accrual, deaths or at-risk rows (any of which would unblind the trial).
 */
export interface BlindedAnalysis {
  trialId: string;
  eventsApplied: number;
  dataComplete: Completeness;
  readout: ReadoutResult;
  accrual: { total: number; bySiteMonth: AccrualRow[] };
  deathRate: DeathRate;
  atRisk: AtRiskTable;
}

/** Only pooled fields of the analysis, so no arm label can change what is in it. */
export function blindedView(a: TrialAnalysis): BlindedAnalysis {
  return {
    trialId: a.trialId,
    eventsApplied: a.eventsApplied,
    dataComplete: a.dataComplete,
    readout: a.pooled,
    accrual: { total: a.accrual.total, bySiteMonth: a.accrual.bySiteMonth },
    deathRate: a.pooledDeathRate,
    atRisk: a.pooledAtRisk,
  };
}
