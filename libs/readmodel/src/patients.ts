import type { EnrollmentEvent, InterimLookTaken, OutcomeEvent, TrialRegistered, RegistryEvent } from '@trial/contracts';
import {
  coveringRegistry,
  deriveFollowUp,
  evolve,
  evolveCompleteness,
  initialState,
  isFollowupEvent,
  type Completeness,
  type DeriveOptions,
  type FollowUp,
  type FollowupEvent,
  type PatientState,
} from '@trial/followup';

export type LogEvent = EnrollmentEvent | OutcomeEvent;

/** A patient's key in the read models' maps (NUL cannot occur in an id). */
export const patientKey = (trialId: string, patientId: string): string => `${trialId}\u0000${patientId}`;

/** The trial and the patient a patientKey was made of. */
export function ofPatientKey(key: string): [trialId: string, patientId: string] {
  const i = key.indexOf('\u0000');
  return [key.slice(0, i), key.slice(i + 1)];
}

/** patientKeys as the two arrays an `unnest($1::text[], $2::text[])` of (trial_id, patient_id) takes. */
export function keyColumns(keys: Iterable<string>): [trialIds: string[], patientIds: string[]] {
  const trialIds: string[] = [];
  const patientIds: string[] = [];
  for (const k of keys) {
    const [t, p] = ofPatientKey(k);
    trialIds.push(t);
    patientIds.push(p);
  }
  return [trialIds, patientIds];
}

/** A log slice split by what each event concerns. Order within each list is log order. */
export interface SortedEvents {
  trials: TrialRegistered[];
  /** TrialRegistered and InterimLookTaken in log order: a look is taken under the design before it (looks.ts). */
  trialWide: Array<TrialRegistered | InterimLookTaken>;
  /** Extracts and completeness corrections, in log order (a correction's effect depends on it). */
  extracts: RegistryEvent[];
  /** Patient key -> that patient's events. */
  patients: Map<string, FollowupEvent[]>;
  /** Events per trial (patient events and TrialRegistered): the read-out's `eventsApplied`. */
  perTrial: Map<string, number>;
}

/**
 * Splits events by subject. Review requests and conflict flags are patient events too (evolve
 * folds them), so they count as applied; the registry events belong to no trial.
 */
export function sortEvents(events: readonly LogEvent[]): SortedEvents {
  const out: SortedEvents = { trials: [], trialWide: [], extracts: [], patients: new Map(), perTrial: new Map() };
  for (const e of events) {
    if (isRegistryLogEvent(e)) {
      out.extracts.push(e);
      continue;
    }
    out.perTrial.set(e.trialId, (out.perTrial.get(e.trialId) ?? 0) + 1);
    if (e.type === 'TrialRegistered') out.trials.push(e);
    if (e.type === 'TrialRegistered' || e.type === 'InterimLookTaken') out.trialWide.push(e);
    else if (isFollowupEvent(e)) {
      const k = patientKey(e.trialId, e.patientId);
      const list = out.patients.get(k);
      if (list) list.push(e);
      else out.patients.set(k, [e]);
    }
  }
  return out;
}

/** A registry-wide event (extract complete, completeness corrected): no trial, no patient. */
export function isRegistryLogEvent(e: LogEvent): e is RegistryEvent {
  return e.type === 'RegistryExtractCompleted' || e.type === 'RegistryCompletenessCorrected';
}

/**
 * Folds extracts and corrections into completeness, in log order: an extract's later date wins
 * (so its repeats do not matter), a correction sets the date, backwards too (evolveCompleteness).
 */
export function foldCompleteness(c: Completeness, extracts: readonly RegistryEvent[]): Completeness {
  return extracts.reduce(evolveCompleteness, c);
}

/** Folds one patient's new events into the held state (or the initial state). */
export function foldPatient(held: PatientState | null, events: readonly FollowupEvent[]): PatientState {
  return events.reduce(evolve, held ?? initialState);
}

/**
 * The patient's follow-up, or null while it cannot be derived: an outcome that overtook its
 * PatientRandomised stays parked in the state (evolve accepts any order) and counts from the
 * moment the randomisation arrives.
 */
export function followUpOf(state: PatientState, completeness: Completeness, options: DeriveOptions = {}): FollowUp | null {
  const r = deriveFollowUp(state, completeness, options);
  return r.ok ? r.value : null;
}

export { coveringRegistry };
