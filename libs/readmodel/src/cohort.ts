import { SurvivalTable } from '@trial/survival';
import type { Observation } from './observation';

/**
 * One trial's incrementally maintained aggregates: a SurvivalTable per arm and one pooled,
 * accrual counts by site and month, and person-time by arm. A patient's change is applied as
 * "remove the old observation, add the new one", so an event costs O(log m), never a
 * recompute over the trial (never a recompute from scratch per event).
 */
export interface CohortSnapshot {
  arms: Record<string, { t: number[]; d: number[]; c: number[] }>;
  accrual: Array<{ site: string; month: string; n: number }>;
  followUpDays: Record<string, number>;
}

export class TrialCohort {
  readonly arms = new Map<string, SurvivalTable>();
  readonly pooled = new SurvivalTable();
  /** `site\u0000YYYY-MM` -> patients randomised. */
  private readonly accrual = new Map<string, number>();
  /** Sum of follow-up days by arm, for deaths per 100 person-years. */
  private readonly days = new Map<string, number>();

  /** Rebuilds a cohort from its stored form (the read model persists snapshots, not read-outs). */
  static fromSnapshot(s: CohortSnapshot): TrialCohort {
    const c = new TrialCohort();
    for (const [arm, tb] of Object.entries(s.arms)) {
      const table = new SurvivalTable();
      for (let i = 0; i < tb.t.length; i++) {
        for (let k = 0; k < tb.d[i]; k++) {
          table.add(tb.t[i], 1);
          c.pooled.add(tb.t[i], 1);
        }
        for (let k = 0; k < tb.c[i]; k++) {
          table.add(tb.t[i], 0);
          c.pooled.add(tb.t[i], 0);
        }
      }
      c.arms.set(arm, table);
    }
    for (const r of s.accrual) c.accrual.set(`${r.site}\u0000${r.month}`, r.n);
    for (const [arm, days] of Object.entries(s.followUpDays)) c.days.set(arm, days);
    return c;
  }

  /**
   * The cohort's sufficient statistics, compact: per arm the distinct times with their event
   * and censoring counts, accrual rows and follow-up days. A few kB where the full read-out
   * (KM rows with CIs per group) is hundreds: writing that per batch is what would cost.
   */
  snapshot(): CohortSnapshot {
    // Prototype-less: on a plain object `arms['__proto__'] = ...` sets the prototype instead of
    // a key, and that arm vanished from the stored read-out (arm labels that unblind). JSON.parse
    // makes every key an own property again, so a stored snapshot reads back whole.
    const arms: CohortSnapshot['arms'] = Object.create(null) as CohortSnapshot['arms'];
    for (const [arm, t] of [...this.arms.entries()].sort(([a], [b]) => cmp(a, b))) {
      if (t.n > 0) arms[arm] = { t: [...t.times], d: [...t.eventCounts], c: [...t.censorCounts] };
    }
    const followUpDays: Record<string, number> = Object.create(null) as Record<string, number>;
    for (const [arm, d] of [...this.days.entries()].sort(([a], [b]) => cmp(a, b))) followUpDays[arm] = d;
    return { arms, accrual: this.accrualRows(), followUpDays };
  }

  static of(observations: Iterable<Observation>): TrialCohort {
    const c = new TrialCohort();
    for (const o of observations) c.apply(null, o);
    return c;
  }

  /** Replaces `before` by `after` (either may be null: a new patient, or one leaving the analysis). */
  apply(before: Observation | null, after: Observation | null): void {
    if (before !== null) this.change(before, -1);
    if (after !== null) this.change(after, +1);
  }

  private change(o: Observation, sign: 1 | -1): void {
    let table = this.arms.get(o.arm);
    if (table === undefined) {
      table = new SurvivalTable();
      this.arms.set(o.arm, table);
    }
    if (sign > 0) {
      table.add(o.time, o.status);
      this.pooled.add(o.time, o.status);
    } else {
      table.remove(o.time, o.status);
      this.pooled.remove(o.time, o.status);
    }
    const key = `${o.site}\u0000${o.randomisedOn.slice(0, 7)}`;
    bump(this.accrual, key, sign);
    bump(this.days, o.arm, sign * o.time);
  }

  /** Accrual rows sorted by site then month. */
  accrualRows(): Array<{ site: string; month: string; n: number }> {
    return [...this.accrual.entries()]
      .map(([k, n]) => {
        const [site, month] = k.split('\u0000');
        return { site, month, n };
      })
      .sort((a, b) => (a.site === b.site ? cmp(a.month, b.month) : cmp(a.site, b.site)));
  }

  followUpDays(arm: string): number {
    return this.days.get(arm) ?? 0;
  }

  /** Follow-up days of every patient. Whole days, so the sum over arms is exact in any order. */
  pooledFollowUpDays(): number {
    let total = 0;
    for (const d of this.days.values()) total += d;
    return total;
  }
}

function bump(m: Map<string, number>, key: string, by: number): void {
  const v = (m.get(key) ?? 0) + by;
  if (v === 0) m.delete(key);
  else m.set(key, v);
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
