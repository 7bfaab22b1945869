import type { TrialRegistered } from '@trial/contracts';
import type { FollowUp } from '@trial/followup';
import type { CompetingRisksReadout, StratifiedComparison, Subgroup } from '@trial/survival';
import type { ReadoutQuery } from './analysis';
import { closedCellOf, closedFromCells } from './closed-cells';

/**
 * The closed report's other analyses, as the dsmb read-out carries them:
 * `stratified` over the trial's stratification factors, `subgroups` in the plan's order, and
 * per endpoint code `endpoints[CODE].competingRisks` for the endpoint's cause (code 1) against
 * death from any other cause (2). Each figure is what `followup stats ADTTE.csv --time AVAL
 * --event EVENT --group TRTP --reference REF --strata ... --subgroups ... --cause 1` gives on
 * the ADTTE rows of that PARAMCD: the same libs/survival functions on the same rows, in the
 * same (patient) order. A figure that cannot be estimated yet is null.
 */
export interface ClosedFigures {
  stratified: StratifiedComparison | null;
  subgroups: Array<Subgroup | NullSubgroup>;
  endpoints: Record<string, { competingRisks: CompetingRisksReadout | null }>;
}
/** A subgroup variable whose analysis cannot be given (e.g. one arm only so far). */
export interface NullSubgroup {
  variable: string;
  interaction: null;
  levels: [];
}

/** The monitor's cut: per subgroup level the pooled n and deaths; per endpoint the pooled CIF (group `all`). */
export interface PooledClosedFigures {
  stratified: null;
  subgroups: Array<{ variable: string; levels: Array<{ level: string; n: number; events: number }> }>;
  endpoints: Record<string, { competingRisks: CompetingRisksReadout | null }>;
}

export interface ClosedAnalysis {
  byArm: ClosedFigures;
  pooled: PooledClosedFigures;
}

/**
 * The trial's endpoints beyond all-cause death by code and name, for any role (GET /trials/:id):
 * a name says what is counted, nothing about who died in which arm. None without a design.
 */
export function endpointNames(design: TrialRegistered | null): Array<{ code: string; name: string }> {
  return (design?.endpoints ?? []).map(({ code, name }) => ({ code, name }));
}

/** Whether the trial registered an analysis plan (TrialRegistered v2 with strata, subgroups or endpoints). */
export function hasAnalysisPlan(design: TrialRegistered | null): design is TrialRegistered {
  return design !== null && (design.stratificationFactors.length > 0 || design.subgroups.length > 0 || design.endpoints.length > 0);
}

/**
 * Computes both cuts from the follow-ups held at the moment asked for (the asOf, dataCutoff and
 * frozen-look reads; now, ClosedCohort's cells give the same figures). Pure; O(n log n) plus
 * the models' cost (see closedFromCells). Patients
 * without a value of a stratification factor are left out of the stratified comparison, and
 * without a subgroup's value out of that subgroup (R's na.omit); ties and `at` as the query's.
 */
export function closedAnalysis(design: TrialRegistered, followUps: readonly FollowUp[], query: ReadoutQuery = {}): ClosedAnalysis {
  return closedFromCells(
    design,
    followUps.map((f) => closedCellOf(design, f)),
    query,
  );
}
