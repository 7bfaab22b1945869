import type { TrialRegistered } from '@trial/contracts';
import { SurvivalError } from '@trial/survival';
import { closedCellOf, type ClosedCell, type ClosedSource } from './closed-cells';
import { closedFactsOf, type Observation } from './observation';

/** What of a design the closed cells are keyed under. */
export type ClosedPlan = Pick<TrialRegistered, 'stratificationFactors' | 'subgroups' | 'endpoints'>;

const NO_PLAN: ClosedPlan = { stratificationFactors: [], subgroups: [], endpoints: [] };

/**
 * The closed cohort's stored form: the distinct profiles ([arm, strata..., levels...]), the
 * distinct statuses ([all-cause status, endpoint codes...]) and per cell four numbers (profile
 * index, time, status index, count), flat. `plan` is the plan the cells are keyed under
 * (planKey): a snapshot is read only under that same plan.
 */
export interface ClosedSnapshot {
  plan: string;
  profiles: Array<Array<string | null>>;
  statuses: number[][];
  cells: number[];
}

interface Held {
  cell: ClosedCell;
  profile: string;
  status: string;
}

/**
 * One trial's sufficient statistics for the closed figures (the DSMB closed report): the patients
 * counted by cell (closed-cells.ts: arm, strata, subgroup levels, time, status per endpoint),
 * the figures' only input, so closedFromCells on cells() equals closedAnalysis on the patients.
 * Maintained as TrialCohort is, "remove the old observation, add the new one": an event costs
 * O(strata + subgroups + endpoints) (one hash-map update), never a pass over the trial.
 */
export class ClosedCohort {
  private readonly held = new Map<string, Held>();
  private patients = 0;
  readonly planKey: string;

  constructor(readonly plan: ClosedPlan = NO_PLAN) {
    this.planKey = planKey(plan);
  }

  static of(design: TrialRegistered | null, observations: Iterable<Observation>): ClosedCohort {
    const c = new ClosedCohort(planOf(design));
    for (const o of observations) c.apply(null, o);
    return c;
  }

  /** Whether the cells are keyed under this design's plan. */
  fits(design: TrialRegistered | null): boolean {
    return planKey(planOf(design)) === this.planKey;
  }

  /** Patients counted. */
  get n(): number {
    return this.patients;
  }

  /** Replaces `before` by `after` (either may be null: a new patient, or one leaving the analysis). */
  apply(before: Observation | null, after: Observation | null): void {
    if (before !== null) this.change(sourceOf(before), -1);
    if (after !== null) this.change(sourceOf(after), +1);
  }

  private change(f: ClosedSource, sign: 1 | -1): void {
    const cell = closedCellOf(this.plan, f);
    const profile = JSON.stringify([cell.arm, ...cell.strata, ...cell.levels]);
    const status = JSON.stringify([cell.status, ...cell.codes]);
    const key = `${profile}\u0000${cell.time}\u0000${status}`;
    const h = this.held.get(key);
    if (sign > 0) {
      if (h) h.cell.count++;
      else this.held.set(key, { cell, profile, status });
    } else {
      if (!h) throw new SurvivalError('NOT_FOUND', 'no such patient in the closed cohort to remove');
      if (--h.cell.count === 0) this.held.delete(key);
    }
    this.patients += sign;
  }

  /** The cells with their counts (copies). O(cells). */
  cells(): ClosedCell[] {
    return [...this.held.values()].map((h) => ({ ...h.cell }));
  }

  /** The compact stored form. O(cells). */
  snapshot(): ClosedSnapshot {
    const profiles = new Map<string, number>();
    const statuses = new Map<string, number>();
    const s: ClosedSnapshot = { plan: this.planKey, profiles: [], statuses: [], cells: [] };
    for (const h of this.held.values()) {
      let p = profiles.get(h.profile);
      if (p === undefined) {
        profiles.set(h.profile, (p = s.profiles.length));
        s.profiles.push([h.cell.arm, ...h.cell.strata, ...h.cell.levels]);
      }
      let q = statuses.get(h.status);
      if (q === undefined) {
        statuses.set(h.status, (q = s.statuses.length));
        s.statuses.push([h.cell.status, ...h.cell.codes]);
      }
      s.cells.push(p, h.cell.time, q, h.cell.count);
    }
    return s;
  }

  /** The cells of a stored form, as the read path needs them (no map built). O(cells). */
  static cellsOf(plan: ClosedPlan, s: ClosedSnapshot): ClosedCell[] {
    const ns = plan.stratificationFactors.length;
    const out: ClosedCell[] = [];
    for (let i = 0; i < s.cells.length; i += 4) {
      const p = s.profiles[s.cells[i]];
      const q = s.statuses[s.cells[i + 2]];
      out.push({
        arm: p[0] as string,
        strata: p.slice(1, 1 + ns),
        levels: p.slice(1 + ns),
        time: s.cells[i + 1],
        status: q[0] as 0 | 1,
        codes: q.slice(1) as Array<0 | 1 | 2>,
        count: s.cells[i + 3],
      });
    }
    return out;
  }
}

/** The plan part of a design (none without a design; a design stored before v2 has none either). */
export function planOf(design: TrialRegistered | null): ClosedPlan {
  if (design === null) return NO_PLAN;
  const d: Partial<ClosedPlan> = design;
  return { stratificationFactors: d.stratificationFactors ?? [], subgroups: d.subgroups ?? [], endpoints: d.endpoints ?? [] };
}

/** A plan's identity: its JSON with keys sorted (a stored design's key order may differ). */
export function planKey(plan: ClosedPlan): string {
  return canonical([plan.stratificationFactors, plan.subgroups, plan.endpoints]);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function sourceOf(o: Observation): ClosedSource {
  return { arm: o.arm, site: o.site, time: o.time, status: o.status, ...(o.closed ?? closedFactsOf(null)) };
}

/** What a trial's snapshot stores of its closed cells: nothing without an analysis plan (no closed figures then). */
export function closedSnapshotOf(design: TrialRegistered | null, closed: ClosedCohort | null): ClosedSnapshot | undefined {
  // planOf, not hasAnalysisPlan: the flusher holds the design as stored, maybe from before v2.
  const plan = planOf(design);
  const planned = plan.stratificationFactors.length > 0 || plan.subgroups.length > 0 || plan.endpoints.length > 0;
  return closed !== null && planned && closed.fits(design) ? closed.snapshot() : undefined;
}
