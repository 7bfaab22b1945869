import { checkedRows, storedDesign, storedValue, type TrialRegistered } from '@trial/contracts';
import type { Completeness } from '@trial/followup';
import { ClosedCohort, observationOf, TrialCohort, type Observation } from '@trial/readmodel';
import { checkedRowsOf, rows, storedCompleteness, type PatientRow, type ReadoutCause, type Sql } from './rows';
import { followUpOnlyProblem } from './stored-rows';

/** A patient's change to a trial's cohort: remove `before`, add `after` (either may be absent). */
export interface CohortDiff {
  before: Observation | null;
  after: Observation | null;
}

/** One committed trial version: what it changed and the trial's state after it. */
export interface CommittedVersion {
  diffs: CohortDiff[];
  design: TrialRegistered | null;
  eventsApplied: number;
  dataComplete: Completeness;
  /** The partition batches committed together in this version (group-commit.ts). */
  causes: ReadoutCause[];
  /** When the change committed (the batch's clock): the snapshot's `recorded_at`. */
  changedAt: string;
}

export interface CachedTrial {
  version: number;
  cohort: TrialCohort;
  /** The closed figures' cells beside the cohort; null when the plan changed under patients (then reloaded). */
  closed: ClosedCohort | null;
  design: TrialRegistered | null;
  eventsApplied: number;
  dataComplete: Completeness;
  /** The batches folded in since the last flush, for the NOTIFY (the benchmark attributes latency by them). */
  causes: ReadoutCause[];
  changedAt: string;
}

/**
 * Per trial, a TrialCohort in memory that reflects exactly one committed `rm_trials.version`.
 * Committed versions are folded in strictly in version order; one that arrives before its
 * predecessor waits. A version that never arrives in this process (another instance, a replay)
 * leaves a gap: `needsReload` says so, and `reload` reads the trial again from one statement.
 */
export class TrialCache {
  private readonly trials = new Map<string, CachedTrial>();
  /** Per trial, committed versions waiting for an earlier one. */
  private readonly waiting = new Map<string, Map<number, CommittedVersion>>();

  /** Records a committed trial version and folds in every consecutive one the cache can take. */
  record(trialId: string, version: number, c: CommittedVersion): void {
    const waiting = this.waiting.get(trialId) ?? new Map<number, CommittedVersion>();
    waiting.set(version, c);
    this.waiting.set(trialId, waiting);
    this.advance(trialId);
  }

  /** Not cached, or waiting on a version that never reached this process. */
  needsReload(trialId: string): boolean {
    return !this.trials.has(trialId) || this.waiting.has(trialId) || this.trials.get(trialId)?.closed === null;
  }

  get(trialId: string): CachedTrial | undefined {
    return this.trials.get(trialId);
  }

  /** Forgets one trial's cohort (its causes waiting to be reported go with it). */
  forget(trialId: string): void {
    this.trials.delete(trialId);
  }

  /** Forgets every cached trial (after a replay in this process). */
  clear(): void {
    this.trials.clear();
    this.waiting.clear();
  }

  /**
   * A trial's committed state from the database: version, design, count, completeness and every
   * follow-up in ONE statement, so all of it is of one snapshot (one version); then whatever
   * newer committed version is waiting.
   */
  async reload(sql: Sql, trialId: string): Promise<void> {
    const [t] = await rows<{
      design: unknown;
      version: string | null;
      events_applied: string | null;
      updated_at: Date | null;
      completeness: unknown;
      followups: unknown;
    }>(
      sql,
      `select t.design, t.version, t.events_applied, t.updated_at,
         (select json_object_agg(source, complete_up_to) from rm_completeness) as completeness,
         (select coalesce(json_agg(p.followup), '[]') from rm_patients p where p.trial_id = $1 and p.followup is not null) as followups
       from (select 1) as one left join rm_trials t on t.trial_id = $1`,
      [trialId],
    );
    const before = this.trials.get(trialId);
    const observations = reloaded(t?.followups ?? []).map((f) => observationOf(f));
    const design = storedDesign(t?.design);
    this.trials.set(trialId, {
      version: Number(t?.version ?? 0),
      design,
      eventsApplied: Number(t?.events_applied ?? 0),
      dataComplete: storedValue(storedCompleteness, t?.completeness ?? {}, { table: 'rm_completeness' }),
      cohort: TrialCohort.of(observations),
      closed: ClosedCohort.of(design, observations),
      causes: before?.causes ?? [],
      changedAt: (t?.updated_at ?? new Date()).toISOString(),
    });
    this.advance(trialId);
  }

  private advance(trialId: string): void {
    const cached = this.trials.get(trialId);
    const waiting = this.waiting.get(trialId);
    if (!cached || !waiting) return;
    for (let next = waiting.get(cached.version + 1); next; next = waiting.get(cached.version + 1)) {
      waiting.delete(cached.version + 1);
      for (const d of next.diffs) cached.cohort.apply(d.before, d.after);
      cached.closed = closedAfter(cached.closed, next);
      cached.version += 1;
      cached.design = next.design;
      cached.eventsApplied = next.eventsApplied;
      cached.dataComplete = next.dataComplete;
      cached.changedAt = next.changedAt;
      cached.causes.push(...next.causes);
    }
    for (const [v, c] of waiting) {
      // Already in the cache (reloaded at or after that version): only its cause is left to report.
      if (v <= cached.version) {
        cached.causes.push(...c.causes);
        waiting.delete(v);
      }
    }
    if (!waiting.size) this.waiting.delete(trialId);
  }
}

/**
 * The closed cells after a version: its diffs applied under its design's plan. A plan that
 * changes while patients are counted cannot be re-keyed from the cells: null, and the trial is
 * reloaded (needsReload) from its follow-ups; before any patient it is simply the new plan's.
 */
function closedAfter(closed: ClosedCohort | null, next: CommittedVersion): ClosedCohort | null {
  if (closed === null) return null;
  const keyed = closed.fits(next.design) ? closed : closed.n === 0 ? ClosedCohort.of(next.design, []) : null;
  for (const d of next.diffs) keyed?.apply(d.before, d.after);
  return keyed;
}

const FOLLOWUPS = { table: 'rm_patients', column: 'followup' };

/** A trial's cohort read from its patients' follow-ups. */
export async function loadCohort(sql: Sql, trialId: string): Promise<TrialCohort> {
  const list = await checkedRowsOf<{ followup: NonNullable<PatientRow['followup']> }>(
    sql,
    followUpOnlyProblem,
    FOLLOWUPS,
    `select followup from rm_patients where trial_id = $1 and followup is not null`,
    [trialId],
  );
  return TrialCohort.of(list.map((r) => observationOf(r.followup)));
}

/** The reload's follow-ups, checked by type (what observationOf reads): the reload reads every patient of the trial. */
function reloaded(followups: unknown): Array<NonNullable<PatientRow['followup']>> {
  const list = Array.isArray(followups) ? followups.map((followup: unknown) => ({ followup })) : followups;
  return checkedRows<{ followup: NonNullable<PatientRow['followup']> }>(list, followUpOnlyProblem, FOLLOWUPS).map((r) => r.followup);
}
