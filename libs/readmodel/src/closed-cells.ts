import { ageBand, type Subgroup as PlannedSubgroup, type TrialRegistered } from '@trial/contracts';
import { endpointCode, endpointStatus, type FollowUp } from '@trial/followup';
import {
  byLabel,
  competingRisks,
  orderGroups,
  stratifiedComparison,
  subgroupAnalysis,
  SurvivalError,
  type CohortRows,
  type CompetingGroupData,
  type CompetingRisksReadout,
} from '@trial/survival';
import type { ReadoutQuery } from './analysis';
import type { ClosedAnalysis, ClosedFigures, NullSubgroup, PooledClosedFigures } from './closed';

/** What the closed figures read of one patient (a FollowUp, or an Observation carrying its closed facts). */
export type ClosedSource = Pick<
  FollowUp,
  'arm' | 'site' | 'time' | 'status' | 'sex' | 'ageAtRandomisation' | 'strata' | 'covariates' | 'underlyingCause'
>;

/**
 * Patients alike for every closed figure, and how many: the arm, the value of each
 * stratification factor and the level of each planned subgroup in the design's order (null
 * where not recorded: left out of that analysis, as R drops NA), the time, the all-cause
 * status and the competing-risks code of each endpoint (0 censored, 1 its cause, 2 another).
 */
export interface ClosedCell {
  arm: string;
  strata: Array<string | null>;
  levels: Array<string | null>;
  time: number;
  status: 0 | 1;
  codes: Array<0 | 1 | 2>;
  count: number;
}

/** A patient's level of a planned subgroup; null when not recorded (the patient is left out of that subgroup, as R drops NA). */
export function subgroupLevel(f: Omit<ClosedSource, 'arm' | 'time' | 'status' | 'underlyingCause'>, s: PlannedSubgroup): string | null {
  switch (s.from) {
    case 'sex':
      return f.sex ?? null;
    case 'site':
      return f.site;
    case 'stratum':
      return own(f.strata, s.variable);
    case 'covariate':
      return own(f.covariates, s.variable);
    case 'age':
      return f.ageAtRandomisation === null ? null : ageBand(f.ageAtRandomisation, s.cuts);
    default: {
      const never: never = s;
      return never;
    }
  }
}

const own = (r: Record<string, string>, k: string): string | null => (Object.hasOwn(r, k) && r[k] !== '' ? r[k] : null);

/** One patient's cell under the design (count 1). O(strata + subgroups + endpoints). */
export function closedCellOf(design: Pick<TrialRegistered, 'stratificationFactors' | 'subgroups' | 'endpoints'>, f: ClosedSource): ClosedCell {
  return {
    arm: f.arm,
    strata: design.stratificationFactors.map((s) => own(f.strata, s)),
    levels: design.subgroups.map((s) => subgroupLevel(f, s)),
    time: f.time,
    status: f.status,
    codes: design.endpoints.map((e) => endpointCode(endpointStatus(f, e))),
    count: 1,
  };
}

/**
 * Both cuts of the closed figures from cells (closedAnalysis's per patient, ClosedCohort's
 * grouped): each libs/survival function is given the cells as grouped rows with their counts,
 * which gives the figures of the rows expanded (libs/survival/test/grouped-property.spec.ts).
 * Cost O(c log c) for c cells plus the models' (see stratifiedComparison, subgroupAnalysis,
 * competingRisks); ties and `at` as the query's.
 */
export function closedFromCells(design: TrialRegistered, cells: readonly ClosedCell[], query: ReadoutQuery = {}): ClosedAnalysis {
  const ties = query.ties ?? 'efron';
  const present = new Set(cells.filter((c) => c.count > 0).map((c) => c.arm));
  const groups = orderGroups(present, present.has(design.referenceArm) ? design.referenceArm : undefined);
  const options = { ties, confLevel: 0.95 };
  const rowsOf = (cs: readonly ClosedCell[]): CohortRows => ({
    time: cs.map((c) => c.time),
    event: cs.map((c) => c.status),
    group: cs.map((c) => c.arm),
    count: cs.map((c) => c.count),
  });

  const strata = design.stratificationFactors;
  const stratified =
    strata.length === 0
      ? null
      : attempt(() => {
          const kept = cells.filter((c) => c.strata.every((v) => v !== null));
          return stratifiedComparison(
            rowsOf(kept),
            strata,
            strata.map((_, j) => kept.map((c) => c.strata[j] as string)),
            groups,
            options,
          );
        });
  const subgroups = design.subgroups.map((s, j) => {
    const kept = cells.filter((c) => c.levels[j] !== null);
    const values = kept.map((c) => c.levels[j] as string);
    const byArm = attempt(() => subgroupAnalysis(rowsOf(kept), s.variable, values, groups, options));
    const pooled = { variable: s.variable, levels: pooledLevels(kept, values) };
    return { byArm: byArm ?? ({ variable: s.variable, interaction: null, levels: [] } as NullSubgroup), pooled };
  });
  const byArmEndpoints: ClosedFigures['endpoints'] = Object.create(null) as ClosedFigures['endpoints'];
  const pooledEndpoints: PooledClosedFigures['endpoints'] = Object.create(null) as PooledClosedFigures['endpoints'];
  design.endpoints.forEach((e, j) => {
    const cr = (by: (c: ClosedCell) => string, reference?: string): CompetingRisksReadout | null =>
      attempt(() => {
        const data = new Map<string, { times: number[]; codes: number[]; counts: number[] }>();
        for (const c of cells) {
          const g = data.get(by(c)) ?? data.set(by(c), { times: [], codes: [], counts: [] }).get(by(c))!;
          g.times.push(c.time);
          g.codes.push(c.codes[j]);
          g.counts.push(c.count);
        }
        return competingRisks(data as Map<string, CompetingGroupData>, { cause: 1, reference, ties, at: query.at, inestimableAsNull: true });
      });
    byArmEndpoints[e.code] = { competingRisks: cr((c) => c.arm, groups[0]) };
    pooledEndpoints[e.code] = { competingRisks: cr(() => 'all') };
  });
  return {
    byArm: { stratified, subgroups: subgroups.map((s) => s.byArm), endpoints: byArmEndpoints },
    pooled: { stratified: null, subgroups: subgroups.map((s) => s.pooled), endpoints: pooledEndpoints },
  };
}

function pooledLevels(kept: readonly ClosedCell[], values: readonly string[]): Array<{ level: string; n: number; events: number }> {
  const by = new Map<string, { level: string; n: number; events: number }>();
  kept.forEach((c, i) => {
    const l = by.get(values[i]) ?? by.set(values[i], { level: values[i], n: 0, events: 0 }).get(values[i])!;
    l.n += c.count;
    l.events += c.status * c.count;
  });
  return [...by.values()].sort((a, b) => byLabel(a.level, b.level));
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
