import { minDate } from './dates';
import type { FollowupEvent } from './events';
import { assertNever } from './never';
import { heldFact, initialState, recordKey, type PatientState, type RegistryFact } from './state';

/**
 * Folds one event into a patient's state. Total and trusting: it never rejects (that is
 * `followupDecider.decide`'s job), so replaying the log always succeeds. Applying an event twice is the same
 * as applying it once, and events from different topics may arrive in either order.
 */
export function evolve(state: PatientState, event: FollowupEvent): PatientState {
  const s: PatientState = state.patientId === null ? { ...state, trialId: event.trialId, patientId: event.patientId } : state;
  switch (event.type) {
    case 'PatientRandomised':
      // The first randomisation stands: a redelivered copy must not undo later corrections.
      if (s.randomisation !== null) return s;
      return {
        ...s,
        randomisation: {
          eventId: event.eventId,
          arm: event.arm,
          site: event.site,
          randomisedOn: event.randomisedOn,
          strata: { ...event.strata },
          covariates: { ...event.covariates },
        },
        nhsNumber: event.nhsNumber,
        chiNumber: event.chiNumber,
        dateOfBirth: event.dateOfBirth,
        sex: event.sex,
      };
    case 'PatientDetailsCorrected': {
      const { nhsNumber, chiNumber, dateOfBirth, sex } = event.changes;
      return {
        ...s,
        nhsNumber: nhsNumber === undefined ? s.nhsNumber : nhsNumber,
        chiNumber: chiNumber === undefined ? s.chiNumber : chiNumber,
        // Only when corrected, so a state stored before date of birth and sex were kept keeps its shape until replayed.
        ...(dateOfBirth === undefined ? {} : { dateOfBirth }),
        ...(sex === undefined ? {} : { sex }),
      };
    }
    case 'PatientSeenAlive':
      return s.seenAlive.includes(event.seenOn) ? s : { ...s, seenAlive: [...s.seenAlive, event.seenOn].sort() };
    case 'ConsentWithdrawn':
      // Follow-up stopped at the first withdrawal; a later one changes nothing.
      return { ...s, withdrawnOn: s.withdrawnOn === null ? event.effectiveOn : minDate(s.withdrawnOn, event.effectiveOn) };
    case 'DeathLinked':
    case 'DeathAmended':
      return put(s, { ...ref(event), kind: 'death', dateOfDeath: event.dateOfDeath, from: event.type, underlyingCause: event.underlyingCause });
    case 'DeathWithdrawn':
      // Kept as a tombstone so an older version delivered late cannot bring the death back.
      // It does not copy the withdrawn date: that would depend on what had arrived before.
      return put(s, { ...ref(event), kind: 'death-withdrawn', reason: event.reason });
    case 'Embarked':
      return put(s, { ...ref(event), kind: 'embarkation', eventDate: event.eventDate });
    case 'ReEntered':
      return put(s, { ...ref(event), kind: 're-entry', eventDate: event.eventDate });
    case 'NoTraceFlagged':
      return put(s, { ...ref(event), kind: 'no-trace' });
    case 'DeathConflictFlagged': {
      const keys = [event.recordId, ...event.otherRecordIds].map((id) => recordKey(event.source, id));
      const conflicts = [...new Set([...s.conflicts, ...keys])].sort();
      return { ...s, conflicts };
    }
    case 'LinkageReviewRequested':
      // A review request is about a link not yet made: nothing about follow-up is known yet.
      return s;
    default:
      return assertNever(event);
  }
}

/** Folds a patient's events from the initial state. */
export function replay(events: readonly FollowupEvent[], from: PatientState = initialState): PatientState {
  return events.reduce(evolve, from);
}

function ref(e: { source: RegistryFact['source']; recordId: string; version: number }) {
  return { source: e.source, recordId: e.recordId, version: e.version };
}

/**
 * A higher version of a record supersedes a lower one. At equal versions the later event wins:
 * the linkage service re-decides a link (withdrawn as `relinked`, or linked again after review)
 * without a new registry version, and it publishes those on the patient's key, so they arrive
 * in order.
 */
function put(s: PatientState, fact: RegistryFact): PatientState {
  const key = recordKey(fact.source, fact.recordId);
  const held = heldFact(s, key);
  if (held !== undefined && held.version > fact.version) return s;
  return { ...s, records: { ...s.records, [key]: fact } };
}
