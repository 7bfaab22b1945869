import { ageBand, type Subgroup as PlannedSubgroup, type TrialRegistered } from '@trial/contracts';
import { endpointCode, endpointStatus, type FollowUp } from '@trial/followup';
import {
  competingRisks, orderGroups, stratifiedComparison, subgroupAnalysis, SurvivalError,
  type CohortRows, type CompetingGroupData, type CompetingRisksReadout, type StratifiedComparison, type Subgroup,
} from '@trial/survival';
import type { ReadoutQuery } from './analysis';

/**
 * The closed report's other analyses (issue 15, item 3), as the dsmb read-out carries them:
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
export interface NullSubgroup { variable: string; interaction: null; levels: [] }

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

/** A patient's level of a planned subgroup; null when not recorded (the patient is left out of that subgroup, as R drops NA). */
export function subgroupLevel(f: FollowUp, s: PlannedSubgroup): string | null {
  switch (s.from) {
    case 'sex': return f.sex ?? null;
    case 'site': return f.site;
    case 'stratum': return own(f.strata, s.variable);
    case 'covariate': return own(f.covariates, s.variable);
    case 'age': return f.ageAtRandomisation === null ? null : ageBand(f.ageAtRandomisation, s.cuts);
    default: {
      const never: never = s;
      return never;
    }
  }
}

const own = (r: Record<string, string>, k: string): string | null => (Object.hasOwn(r, k) && r[k] !== '' ? r[k] : null);
const byPatient = (a: FollowUp, b: FollowUp): number => (a.patientId < b.patientId ? -1 : a.patientId > b.patientId ? 1 : 0);

/**
 * Computes both cuts from the follow-ups held at the moment asked for. Pure; O(n log n) plus
 * the models' cost (see stratifiedComparison, subgroupAnalysis, competingRisks). Patients
 * without a value of a stratification factor are left out of the stratified comparison, and
 * without a subgroup's value out of that subgroup (R's na.omit); ties and `at` as the query's.
 */
export function closedAnalysis(design: TrialRegistered, followUps: readonly FollowUp[], query: ReadoutQuery = {}): ClosedAnalysis {
  const sorted = [...followUps].sort(byPatient);
  const ties = query.ties ?? 'efron';
  const present = new Set(sorted.map((f) => f.arm));
  const groups = orderGroups(present, present.has(design.referenceArm) ? design.referenceArm : undefined);
  const options = { ties, confLevel: 0.95 };
  const rowsOf = (fs: readonly FollowUp[]): CohortRows =>
    ({ time: fs.map((f) => f.time), event: fs.map((f) => f.status), group: fs.map((f) => f.arm) });

  const strata = design.stratificationFactors;
  const stratified = strata.length === 0 ? null : attempt(() => {
    const kept = sorted.filter((f) => strata.every((s) => own(f.strata, s) !== null));
    return stratifiedComparison(rowsOf(kept), strata, strata.map((s) => kept.map((f) => f.strata[s])), groups, options);
  });
  const subgroups = design.subgroups.map((s) => {
    const kept = sorted.filter((f) => subgroupLevel(f, s) !== null);
    const values = kept.map((f) => subgroupLevel(f, s) as string);
    const byArm = attempt(() => subgroupAnalysis(rowsOf(kept), s.variable, values, groups, options));
    const pooled = { variable: s.variable, levels: pooledLevels(kept, values) };
    return { byArm: byArm ?? ({ variable: s.variable, interaction: null, levels: [] } as NullSubgroup), pooled };
  });
  const byArmEndpoints: ClosedFigures['endpoints'] = Object.create(null) as ClosedFigures['endpoints'];
  const pooledEndpoints: PooledClosedFigures['endpoints'] = Object.create(null) as PooledClosedFigures['endpoints'];
  for (const e of design.endpoints) {
    const codes = sorted.map((f) => endpointCode(endpointStatus(f, e)));
    const cr = (by: (f: FollowUp) => string, reference?: string): CompetingRisksReadout | null => attempt(() => {
      const data = new Map<string, { times: number[]; codes: number[] }>();
      sorted.forEach((f, i) => {
        const g = data.get(by(f)) ?? data.set(by(f), { times: [], codes: [] }).get(by(f))!;
        g.times.push(f.time);
        g.codes.push(codes[i]);
      });
      return competingRisks(data as Map<string, CompetingGroupData>, { cause: 1, reference, ties, at: query.at, inestimableAsNull: true });
    });
    byArmEndpoints[e.code] = { competingRisks: cr((f) => f.arm, groups[0]) };
    pooledEndpoints[e.code] = { competingRisks: cr(() => 'all') };
  }
  return {
    byArm: { stratified, subgroups: subgroups.map((s) => s.byArm), endpoints: byArmEndpoints },
    pooled: { stratified: null, subgroups: subgroups.map((s) => s.pooled), endpoints: pooledEndpoints },
  };
}

function pooledLevels(kept: readonly FollowUp[], values: readonly string[]): Array<{ level: string; n: number; events: number }> {
  const by = new Map<string, { level: string; n: number; events: number }>();
  kept.forEach((f, i) => {
    const l = by.get(values[i]) ?? by.set(values[i], { level: values[i], n: 0, events: 0 }).get(values[i])!;
    l.n += 1;
    l.events += f.status;
  });
  return [...by.values()].sort((a, b) => (a.level < b.level ? -1 : a.level > b.level ? 1 : 0));
}

/** A SurvivalError (too few groups, no deaths yet, a cause not yet seen) is a figure not yet given: null. */
function attempt<T>(f: () => T): T | null {
  try {
    return f();
  } catch (e) {
    if (e instanceof SurvivalError) return null;
    throw e;
  }
}
