import type { ChiSquareTest } from '@trial/survival';
import type { AccrualRow, AtRiskTable, DeathRate, ReadoutResult, TrialAnalysis } from './analysis';
import { blindedView } from './analysis';
import type { ClosedFigures, PooledClosedFigures } from './closed';

/** The one role that sees the arms. Any other role, known or not, gets the blinded cut (fail closed). */
export const UNBLINDED_ROLE = 'dsmb';

/** Whether `role` sees the arms: what viewFor decides by, for a caller that has no analysis yet (a stream opening). */
export function isUnblinded(role: string): boolean {
  return role === UNBLINDED_ROLE;
}

/** The monitor's cut: pooled read-out (`all`), pooled death rate and at-risk row, no per-arm accrual. */
export interface BlindedView {
  blinded: true;
  readout: ReadoutResult;
  figures: { accrual: { total: number; bySiteMonth: AccrualRow[] }; deathRate: DeathRate; atRisk: AtRiskTable };
  /** Pooled only: subgroup levels' n and deaths, each endpoint's pooled CIF; no arm, no comparison. */
  closed?: PooledClosedFigures;
}

/** The DSMB's: by arm, with per-arm accrual, death rates and numbers at risk. Every read of it is audited. */
export interface UnblindedView {
  blinded: false;
  readout: ReadoutResult;
  figures: { accrual: TrialAnalysis['accrual']; deathRates: DeathRate[]; atRisk: AtRiskTable };
  closed?: ClosedFigures;
}

export type RoleView = BlindedView | UnblindedView;

/**
 * What `role` may see of the analysis: the one place a role decides blinding. The blinded
 * branch reads `blindedView`, which takes pooled fields only, so no arm label can leak into it.
 */
export function viewFor(role: string, a: TrialAnalysis): RoleView {
  if (!isUnblinded(role)) {
    const b = blindedView(a);
    const view: BlindedView = { blinded: true, readout: b.readout, figures: { accrual: b.accrual, deathRate: b.deathRate, atRisk: b.atRisk } };
    // The pooled cut only: closed.byArm is never read on this branch.
    if (a.closed !== undefined) view.closed = a.closed.pooled;
    return view;
  }
  const view: UnblindedView = { blinded: false, readout: a.byArm, figures: { accrual: a.accrual, deathRates: a.deathRates, atRisk: a.atRisk } };
  if (a.closed !== undefined) view.closed = a.closed.byArm;
  return view;
}

/** One group's line in a stream's headline. */
export interface HeadlineGroup {
  group: string;
  n: number;
  events: number;
  median: number | null;
}

/** A stream's read-out: groups always; the comparison only in the unblinded view. */
export interface Headline {
  groups: HeadlineGroup[];
  comparison: { logRank: ChiSquareTest | null; hazardRatios: Array<{ group: string; hazardRatio: number }> | null } | null;
}

/** The headline of a view: no comparison when blinded (there is one group) or when no read-out can be given. */
export function headlineOf(view: RoleView): Headline {
  const r = view.readout;
  if (!r.ok) return { groups: [], comparison: null };
  const groups = r.value.groups.map((g) => ({ group: g.group, n: g.n, events: g.events, median: g.median.estimate }));
  if (view.blinded) return { groups, comparison: null };
  return {
    groups,
    comparison: { logRank: r.value.logRank, hazardRatios: r.value.cox?.terms.map((t) => ({ group: t.group, hazardRatio: t.hazardRatio })) ?? null },
  };
}
