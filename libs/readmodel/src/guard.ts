import { contentHash, type PatientRandomised } from '@trial/contracts';
import { assertNever, evolve, heldFact, initialState, isFollowupEvent, recordKey, type FollowupEvent, type PatientState } from '@trial/followup';
import { patientKey, type LogEvent } from './patients';

/**
 * What the projector keeps per patient, beside the state, to refuse what it must not apply
 * (issue 10, items 3 and 7). Null fields: not known yet, or the row predates the guard.
 */
export interface PatientGuard {
  /** The last outcome `seq` applied (events written before seq existed carry none). */
  seq: number | null;
  /** Content hash of the randomisation that stands (randomisationContent). */
  randomisation: string | null;
}

export const emptyGuard: PatientGuard = { seq: null, randomisation: null };

export type RefusalCode = 'out-of-order' | 'version-regressed' | 'conflicting-randomisation';

export interface Refusal {
  code: RefusalCode;
  /** Event ids, types, numbers and the trial id only: no personal identifiers. */
  reason: string;
}

export interface Guarded {
  state: PatientState;
  guard: PatientGuard;
}

/** What must agree for a second randomisation to be a duplicate: everything but its event id. */
export function randomisationContent(e: PatientRandomised): string {
  return contentHash({ ...e, eventId: undefined });
}

/**
 * Whether `e` may be folded into the patient held as `held`; null when it may. Refused:
 * - an outcome whose `seq` is not above the last one applied: it was published out of order
 *   (a plain redelivery never gets here: the caller dedupes by event id first);
 * - a registry fact whose record version is below the one held for that record (equal is
 *   allowed: linkage re-decides a link without a new version, e.g. relinked then linked again);
 * - a second PatientRandomised whose content differs from the first's (an identical one is a
 *   duplicate, which evolve already ignores).
 */
export function refusal(held: Guarded, e: FollowupEvent): Refusal | null {
  switch (e.type) {
    case 'PatientRandomised': {
      const r = held.state.randomisation;
      if (r === null) return null;
      // A row from before the guard has no hash: compare what the read-out uses.
      const same = held.guard.randomisation !== null
        ? held.guard.randomisation === randomisationContent(e)
        : r.arm === e.arm && r.site === e.site && r.randomisedOn === e.randomisedOn;
      return same ? null : {
        code: 'conflicting-randomisation',
        reason: `PatientRandomised ${e.eventId} for a patient of trial ${e.trialId} differs from the randomisation that stands (${r.eventId}): arm, date, site or identity`,
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
          reason: `${e.type} ${e.eventId} (trial ${e.trialId}) carries version ${e.version} of ${e.source} record ${e.recordId}, below the version ${fact.version} already applied`,
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

/** Folds one admitted event: the state by evolve, the guard by what the event carries. */
export function admit(held: Guarded, e: FollowupEvent): Guarded {
  const state = evolve(held.state, e);
  let guard = held.guard;
  if (e.type === 'PatientRandomised' && held.state.randomisation === null) guard = { ...guard, randomisation: randomisationContent(e) };
  if ('seq' in e && e.seq !== undefined) guard = { ...guard, seq: Math.max(guard.seq ?? 0, e.seq) };
  return { state, guard };
}

export interface GuardedFold extends Guarded {
  /** The events folded, in order. */
  admitted: FollowupEvent[];
  refused: Array<{ event: FollowupEvent; refusal: Refusal }>;
}

/** Folds a patient's events in order, leaving out (and returning) each one refused. */
export function foldGuarded(held: Guarded | null, events: readonly FollowupEvent[]): GuardedFold {
  let g: Guarded = held ?? { state: initialState, guard: emptyGuard };
  const admitted: FollowupEvent[] = [];
  const refused: GuardedFold['refused'] = [];
  for (const e of events) {
    const r = refusal(g, e);
    if (r !== null) {
      refused.push({ event: e, refusal: r });
      continue;
    }
    g = admit(g, e);
    admitted.push(e);
  }
  return { ...g, admitted, refused };
}

export interface LogFold {
  /** The events that count, in log order: first copies of their id, not refused, with their content hash. */
  applied: Array<{ event: LogEvent; hash: string }>;
  /** Each patient's guarded fold of its applied events. */
  patients: Map<string, Guarded>;
  /** Copies of an id with other content, and events the guard refused (the live projector dead-letters both). */
  refused: number;
}

/**
 * A whole log as the live projector, reading it in this order, would take it: an id applied
 * once (a copy with the same content is a redelivery, with other content refused), and each
 * patient's events through the guard. Replay uses it, so it leaves out what went to the DLQ.
 */
export function foldLog(events: readonly LogEvent[]): LogFold {
  const seen = new Map<string, string>();
  const patients = new Map<string, Guarded>();
  const applied: LogFold['applied'] = [];
  let refused = 0;
  for (const e of events) {
    const hash = contentHash(e);
    const was = seen.get(e.eventId);
    if (was !== undefined) {
      if (was !== hash) refused++;
      continue;
    }
    if (isFollowupEvent(e)) {
      const k = patientKey(e.trialId, e.patientId);
      const g = patients.get(k) ?? { state: initialState, guard: emptyGuard };
      if (refusal(g, e) !== null) {
        // Not recorded as seen: live, a refused event's id is not applied either.
        refused++;
        continue;
      }
      patients.set(k, admit(g, e));
    }
    seen.set(e.eventId, hash);
    applied.push({ event: e, hash });
  }
  return { applied, patients, refused };
}
