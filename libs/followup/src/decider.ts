import { contentHash, type Decider, type PatientRandomised, type Result } from '@trial/contracts';
import type { FollowupEvent } from './events';
import { evolve } from './evolve';
import { assertNever } from './never';
import { heldFact, initialState, recordKey, type PatientState } from './state';

/**
 * The projector's intake: "apply this event to the patient's stream". There is one command
 * because the read side does not originate facts; it only admits (or refuses) what the
 * enrolment system and the linkage service already decided.
 */
export type FollowupCommand = { type: 'AdmitEvent'; event: FollowupEvent };

/**
 * What the projector keeps per patient, beside the state, to refuse what it must not apply
 * (the reliability issue's silent drops). Null fields: not known yet, or the row predates the guard.
 */
export interface PatientGuard {
  /** The last outcome `seq` applied (events written before seq existed carry none). */
  seq: number | null;
  /** Content hash of the randomisation that stands (randomisationContent). */
  randomisation: string | null;
}

export const emptyGuard: PatientGuard = { seq: null, randomisation: null };

/** The decider's state: the patient's follow-up facts and the guard beside them. */
export interface Guarded {
  state: PatientState;
  guard: PatientGuard;
}

export type RefusalCode = 'out-of-order' | 'version-regressed' | 'conflicting-randomisation';

export interface Refusal {
  code: RefusalCode;
  /** Event ids, types, numbers and the trial id only: no personal identifiers. */
  reason: string;
}

/** What must agree for a second randomisation to be a duplicate: everything but its event id. */
export function randomisationContent(e: PatientRandomised): string {
  return contentHash({ ...e, eventId: undefined });
}

/**
 * Admits the event (the one event to append) or refuses it, as a value:
 * - an outcome whose `seq` is not above the last one applied: it was published out of order
 *   (a plain redelivery never gets here: the caller dedupes by event id first);
 * - a registry fact whose record version is below the one held for that record (equal is
 *   allowed: linkage re-decides a link without a new version, e.g. relinked then linked again);
 * - a second PatientRandomised whose content differs from the first's (an identical one is a
 *   duplicate, which evolve already ignores).
 * Nothing else is refused. Events may come in any order across the two topics (an outcome can
 * overtake its randomisation): `evolve` commutes, and facts dated after a consent withdrawal are
 * kept and ignored by `deriveFollowUp`, so the result never depends on arrival order.
 */
function decide(command: FollowupCommand, held: Guarded): Result<FollowupEvent[], Refusal> {
  switch (command.type) {
    case 'AdmitEvent': {
      const r = refusal(held, command.event);
      return r === null ? { ok: true, value: [command.event] } : { ok: false, error: r };
    }
    default:
      return assertNever(command.type);
  }
}

function refusal(held: Guarded, e: FollowupEvent): Refusal | null {
  switch (e.type) {
    case 'PatientRandomised': {
      const r = held.state.randomisation;
      if (r === null) return null;
      // A row from before the guard has no hash: compare what the read-out uses.
      const same =
        held.guard.randomisation !== null
          ? held.guard.randomisation === randomisationContent(e)
          : r.arm === e.arm && r.site === e.site && r.randomisedOn === e.randomisedOn;
      return same
        ? null
        : {
            code: 'conflicting-randomisation',
            reason:
              `PatientRandomised ${e.eventId} for a patient of trial ${e.trialId} differs from the randomisation that stands ` +
              `(${r.eventId}): arm, date, site or identity`,
          };
    }
    case 'PatientDetailsCorrected':
    case 'PatientSeenAlive':
    case 'ConsentWithdrawn':
      return null;
    case 'DeathLinked':
    case 'DeathAmended':
    case 'DeathWithdrawn':
    case 'Embarked':
    case 'ReEntered':
    case 'NoTraceFlagged': {
      const fact = heldFact(held.state, recordKey(e.source, e.recordId));
      if (fact !== undefined && fact.version > e.version) {
        return {
          code: 'version-regressed',
          reason:
            `${e.type} ${e.eventId} (trial ${e.trialId}) carries version ${e.version} of ${e.source} record ${e.recordId}, ` +
            `below the version ${fact.version} already applied`,
        };
      }
      return outOfOrder(held.guard, e);
    }
    case 'DeathConflictFlagged':
    case 'LinkageReviewRequested':
      return outOfOrder(held.guard, e);
    default:
      return assertNever(e);
  }
}

function outOfOrder(g: PatientGuard, e: { type: string; eventId: string; trialId: string; seq?: number }): Refusal | null {
  if (e.seq === undefined || g.seq === null || e.seq > g.seq) return null;
  return {
    code: 'out-of-order',
    reason: `${e.type} ${e.eventId} (trial ${e.trialId}) has seq ${e.seq}, not after seq ${g.seq} already applied for this patient`,
  };
}

/** Folds one admitted event: the state by `evolve`, the guard by what the event carries. */
function evolveGuarded(held: Guarded, e: FollowupEvent): Guarded {
  const state = evolve(held.state, e);
  let guard = held.guard;
  if (e.type === 'PatientRandomised' && held.state.randomisation === null) guard = { ...guard, randomisation: randomisationContent(e) };
  if ('seq' in e && e.seq !== undefined) guard = { ...guard, seq: Math.max(guard.seq ?? 0, e.seq) };
  return { state, guard };
}

/** The follow-up service's decider: the one the projector runs on every patient's events. */
export const followupDecider: Decider<FollowupCommand, FollowupEvent, Guarded, Refusal> = {
  decide,
  evolve: evolveGuarded,
  initialState: () => ({ state: initialState, guard: emptyGuard }),
};
