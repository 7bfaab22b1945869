import type { LogEvent } from '@trial/readmodel';
import type { Sql } from './rows';

/**
 * The projector's advisory locks. Every batch takes them in one order (replay, completeness,
 * trials, patients), so no two batches deadlock.
 */

/** Advisory lock: the live projector takes it shared per batch, a replay exclusively. */
export const PROJECTION_LOCK = 7261302;
/**
 * Advisory lock on registry completeness: every batch takes it shared before it reads
 * completeness; a batch carrying a registry's extract-complete takes it exclusively, so a
 * completeness move never races a concurrent batch deriving follow-ups from the old date.
 */
export const COMPLETENESS_LOCK = 7261303;
/** Advisory lock class of a patient (pg_advisory_xact_lock(PATIENT_LOCK, hashtext(trial ':' patient))). */
export const PATIENT_LOCK = 7261304;
/**
 * Advisory lock class of a trial: every batch with events of a trial's patients takes it
 * shared, a batch carrying the trial's TrialRegistered exclusively. So a batch that parks a
 * patient event (trial not registered yet) never commits after the registering batch has
 * taken the park out: one of them sees the other's commit.
 */
export const TRIAL_LOCK = 7261306;

/** What a batch must lock, from its events alone (pure). */
export interface BatchLocks {
  /** Completeness exclusively: the batch moves a registry's completeness. */
  completenessExclusive: boolean;
  trials: string[];
  /** Trials registered in the batch: their TRIAL_LOCK exclusively. */
  registering: string[];
  /** `trial:patient` of every patient event. */
  patients: string[];
}

export function locksOf(events: readonly LogEvent[]): BatchLocks {
  const distinct = (f: (e: LogEvent) => string[]) => [...new Set(events.flatMap(f))];
  return {
    completenessExclusive: events.some((e) => e.type === 'RegistryExtractCompleted' || e.type === 'RegistryCompletenessCorrected'),
    trials: distinct((e) => ('trialId' in e ? [e.trialId] : [])),
    registering: distinct((e) => (e.type === 'TrialRegistered' ? [e.trialId] : [])),
    patients: distinct((e) => ('patientId' in e ? [`${e.trialId}:${e.patientId}`] : [])),
  };
}

/**
 * Takes a batch's locks in one round trip, in the one order. A patient's enrolment and outcome
 * events arrive on two topics, so two concurrent batches can share a patient; its row may not
 * exist yet, so a row lock cannot serialise them, and a transaction advisory lock per patient
 * (sorted) does. Trials (exclusive when registered here) come between completeness and patients.
 */
export async function lockBatch(tx: Sql, l: BatchLocks): Promise<void> {
  await tx.query(
    `select pg_advisory_xact_lock_shared($1), pg_advisory_xact_lock${l.completenessExclusive ? '' : '_shared'}($2),
       (select count(*) from (select case when ex then pg_advisory_xact_lock($5, k) else pg_advisory_xact_lock_shared($5, k) end
          from (select hashtext(x) as k, bool_or(x = any($7::text[])) as ex from unnest($6::text[]) as x group by 1 order by 1) as sorted) as locked),
       (select count(*) from (select pg_advisory_xact_lock($3, k) from (select distinct hashtext(x) as k from unnest($4::text[]) as x
         order by k) as sorted) as locked)`,
    [PROJECTION_LOCK, COMPLETENESS_LOCK, PATIENT_LOCK, l.patients, TRIAL_LOCK, l.trials, l.registering],
  );
}

/** A replay's lock: exclusive, so live batches wait for the whole rebuild. */
export async function lockForReplay(tx: Sql): Promise<void> {
  await tx.query('select pg_advisory_xact_lock($1)', [PROJECTION_LOCK]);
}
