import { contentHash } from '@trial/contracts';
import { followupDecider, isFollowupEvent, type FollowupEvent, type Guarded, type Refusal } from '@trial/followup';
import { patientKey, type LogEvent } from './patients';

// The guard's rules are the follow-up decider's (@trial/followup decider.ts); re-exported here,
// where the projector has always found them.
export { emptyGuard, randomisationContent, type Guarded, type PatientGuard, type Refusal, type RefusalCode } from '@trial/followup';

/** Folds one admitted event: the state by evolve, the guard by what the event carries. */
export const admit: (held: Guarded, e: FollowupEvent) => Guarded = followupDecider.evolve;

/** Whether `e` may be folded into the patient held as `held`; null when it may (see followupDecider). */
export function refusal(held: Guarded, e: FollowupEvent): Refusal | null {
  const r = followupDecider.decide({ type: 'AdmitEvent', event: e }, held);
  return r.ok ? null : r.error;
}

export interface GuardedFold extends Guarded {
  /** The events folded, in order. */
  admitted: FollowupEvent[];
  refused: Array<{ event: FollowupEvent; refusal: Refusal }>;
}

/** Folds a patient's events in order through the decider, leaving out (and returning) each one refused. */
export function foldGuarded(held: Guarded | null, events: readonly FollowupEvent[]): GuardedFold {
  let g: Guarded = held ?? followupDecider.initialState();
  const admitted: FollowupEvent[] = [];
  const refused: GuardedFold['refused'] = [];
  for (const e of events) {
    const r = followupDecider.decide({ type: 'AdmitEvent', event: e }, g);
    if (!r.ok) {
      refused.push({ event: e, refusal: r.error });
      continue;
    }
    for (const a of r.value) g = followupDecider.evolve(g, a);
    admitted.push(...r.value);
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
 * The dedupe and guard of a log taken in order, one event at a time: an id is applied once (a
 * copy with the same content is a redelivery, with other content refused), and each patient's
 * events go through the follow-up decider, the patients' states held in a Map.
 */
export class LogFolder {
  /** Each patient's guarded fold of its applied events. */
  readonly patients = new Map<string, Guarded>();
  /** Copies of an id with other content, and events the guard refused. */
  refused = 0;
  private readonly seen = new Map<string, string>();

  /**
   * The event's content hash if it is applied; null if it is a redelivery or refused. `hash`,
   * when given, is the event's contentHash computed already (replay's decode worker).
   */
  take(e: LogEvent, hash: string = contentHash(e)): string | null {
    const was = this.seen.get(e.eventId);
    if (was !== undefined) {
      if (was !== hash) this.refused++;
      return null;
    }
    if (isFollowupEvent(e)) {
      const k = patientKey(e.trialId, e.patientId);
      const g = this.patients.get(k) ?? followupDecider.initialState();
      if (refusal(g, e) !== null) {
        // Not recorded as seen: live, a refused event's id is not applied either.
        this.refused++;
        return null;
      }
      this.patients.set(k, admit(g, e));
    }
    this.seen.set(e.eventId, hash);
    return hash;
  }
}

/**
 * A whole log as the live projector, reading it in this order, would take it (LogFolder).
 * Replay uses it, so it leaves out what went to the DLQ.
 */
export function foldLog(events: readonly LogEvent[]): LogFold {
  const folder = new LogFolder();
  const applied: LogFold['applied'] = [];
  for (const e of events) {
    const hash = folder.take(e);
    if (hash !== null) applied.push({ event: e, hash });
  }
  return { applied, patients: folder.patients, refused: folder.refused };
}
