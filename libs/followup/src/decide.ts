import type { Result } from '@trial/contracts';
import type { CivilDate } from './dates';
import type { FollowupEvent } from './events';
import { assertNever } from './never';
import { heldFact, recordKey, type PatientState } from './state';

/**
 * The projector's intake: "apply this event to the patient's stream". There is one command
 * because the read side does not originate facts; it only admits (or refuses) what the
 * enrolment system and the linkage service already decided.
 */
export type FollowupCommand = { type: 'AdmitEvent'; event: FollowupEvent };

export type RejectionCode =
  /** An event for a patient whose PatientRandomised has not been applied. */
  | 'not-randomised'
  /** The event names another trial or patient than this stream. */
  | 'wrong-patient'
  /** A second, different PatientRandomised for the same patient. */
  | 'already-randomised'
  /** A new follow-up fact dated after the patient's consent withdrawal. */
  | 'after-withdrawal'
  /** A registry record version lower than the one already held. */
  | 'superseded';

export interface FollowupRejection {
  code: RejectionCode;
  eventId: string;
  reason: string;
}

/**
 * Returns the events to append (the admitted event, or none for a harmless duplicate) or why
 * the event is refused. Rejections are values, not exceptions.
 *
 * - `not-randomised` does not mean the event is wrong: enrolments and outcomes travel on
 *   different topics, so an outcome can overtake its randomisation. A caller should park it
 *   and retry once the patient exists, not drop it. `evolve` itself accepts any order.
 * - `after-withdrawal` refuses facts *dated* after the withdrawal (a visit, a death, an
 *   embarkation or re-entry): the patient did not consent to follow-up then, and they could not
 *   change the result anyway. Amendments and cancellations of records are still admitted,
 *   whatever their date, because they correct follow-up from before the withdrawal (or move a
 *   death out of it), and refusing them would make the result depend on arrival order.
 */
export function decide(command: FollowupCommand, state: PatientState): Result<FollowupEvent[], FollowupRejection> {
  switch (command.type) {
    case 'AdmitEvent':
      return admit(command.event, state);
    default:
      return assertNever(command.type);
  }
}

function admit(event: FollowupEvent, state: PatientState): Result<FollowupEvent[], FollowupRejection> {
  const reject = (code: RejectionCode, reason: string): Result<FollowupEvent[], FollowupRejection> =>
    ({ ok: false, error: { code, eventId: event.eventId, reason } });
  const accept: Result<FollowupEvent[], FollowupRejection> = { ok: true, value: [event] };

  if (state.patientId !== null && (state.trialId !== event.trialId || state.patientId !== event.patientId)) {
    return reject('wrong-patient', `event is for ${event.trialId}:${event.patientId}, stream is ${state.trialId}:${state.patientId}`);
  }
  if (event.type === 'PatientRandomised') {
    if (state.randomisation === null) return accept;
    if (state.randomisation.eventId === event.eventId) return { ok: true, value: [] };
    return reject('already-randomised', `randomised already by event ${state.randomisation.eventId}`);
  }
  if (state.randomisation === null) {
    return reject('not-randomised', `${event.type} for a patient not (yet) randomised`);
  }
  if ('version' in event) {
    const held = heldFact(state, recordKey(event.source, event.recordId));
    if (held !== undefined && held.version > event.version) {
      return reject('superseded', `${event.source} record ${event.recordId} is held at version ${held.version} > ${event.version}`);
    }
  }
  const dated = newFactDate(event);
  if (dated !== null && state.withdrawnOn !== null && dated > state.withdrawnOn) {
    return reject('after-withdrawal', `${event.type} dated ${dated} is after consent withdrawal on ${state.withdrawnOn}`);
  }
  return accept;
}

/** The date of a *new* follow-up fact, or null for events that only correct or annotate. */
function newFactDate(event: Exclude<FollowupEvent, { type: 'PatientRandomised' }>): CivilDate | null {
  switch (event.type) {
    case 'PatientSeenAlive':
      return event.seenOn;
    case 'ConsentWithdrawn':
      return event.effectiveOn;
    case 'DeathLinked':
      return event.dateOfDeath;
    case 'Embarked':
    case 'ReEntered':
      return event.eventDate;
    // Undated: whether the registry can trace the patient is not a fact about a day of follow-up.
    case 'PatientDetailsCorrected':
    case 'DeathAmended':
    case 'DeathWithdrawn':
    case 'NoTraceFlagged':
    case 'DeathConflictFlagged':
    case 'LinkageReviewRequested':
      return null;
    default:
      return assertNever(event);
  }
}
