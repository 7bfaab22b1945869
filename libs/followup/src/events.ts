import type {
  ConsentWithdrawn,
  DeathAmended,
  DeathConflictFlagged,
  DeathLinked,
  DeathWithdrawn,
  Embarked,
  EnrollmentEvent,
  LinkageReviewRequested,
  NoTraceFlagged,
  OutcomeEvent,
  PatientDetailsCorrected,
  PatientRandomised,
  PatientSeenAlive,
  ReEntered,
} from '@trial/contracts';

/**
 * Everything that can land on one patient's stream: the per-patient enrolment events and the
 * per-patient outcome events. TrialRegistered, InterimLookTaken and RegistryExtractCompleted are
 * left out because they concern a whole trial or a whole registry, not a patient (completeness is passed to
 * `deriveFollowUp` separately).
 */
export type FollowupEvent =
  | PatientRandomised
  | PatientDetailsCorrected
  | PatientSeenAlive
  | ConsentWithdrawn
  | DeathLinked
  | DeathAmended
  | DeathWithdrawn
  | Embarked
  | ReEntered
  | NoTraceFlagged
  | DeathConflictFlagged
  | LinkageReviewRequested;

export type FollowupEventType = FollowupEvent['type'];

/** Outcome events that carry a registry record reference (`source`, `recordId`, `version`). */
export type RecordEvent = Exclude<FollowupEvent, PatientRandomised | PatientDetailsCorrected | PatientSeenAlive | ConsentWithdrawn>;

/** Narrows a decoded message from either topic to a patient follow-up event. */
export function isFollowupEvent(e: EnrollmentEvent | OutcomeEvent): e is FollowupEvent {
  return (
    e.type !== 'TrialRegistered' &&
    e.type !== 'InterimLookTaken' &&
    e.type !== 'RegistryExtractCompleted' &&
    e.type !== 'RegistryCompletenessCorrected'
  );
}
