import { OutcomeEvent, RegistryRecord } from '@trial/contracts';
import { deterministicId } from './ids';
import { Clerical, Target } from './target';

/** What the outcome stream has been told about a record for one patient (null: nothing live). */
export interface EmittedFact {
  patientId: string;
  kind: RegistryRecord['kind'];
  version: number;
  dateOfDeath: string | null;
  underlyingCause: string | null;
  eventDate: string | null;
}

/** The stored state of one record in one trial (a row of lk_links). */
export interface LinkState {
  status: Target['status'];
  patientId: string | null;
  version: number;
  reviewId: string | null;
  emitted: EmittedFact | null;
  /** How many events this (record, trial) has emitted: part of each event id, so a link made, withdrawn and made again yields three distinct ids. */
  seq: number;
  clerical: Clerical | null;
}

/** A review item to open (or refresh) for this record in this trial. */
export interface ReviewItem {
  reviewId: string;
  reason: Extract<Target, { status: 'review' }>['reason'];
  modelVersion: string;
  candidates: Extract<Target, { status: 'review' }>['candidates'];
  /** Shown to the reviewer beside the candidates; not in LinkageReviewRequested, whose candidates are this trial's patients. */
  competing: Extract<Target, { status: 'review' }>['competing'];
}

export interface PlanInput {
  trialId: string;
  record: RegistryRecord;
  target: Target;
  /** Id the review would have (see reviewIdOf); used only when the target is review. */
  reviewId: string;
  prev: LinkState | null;
  clerical: Clerical | null;
  /** Patients whose consent is withdrawn: nothing more is published about them. */
  withdrawn: ReadonlySet<string>;
  occurredAt: string;
}

export interface Plan {
  next: LinkState;
  events: OutcomeEvent[];
  /** Events not published because their patient withdrew consent (kept for the audit). */
  suppressed: OutcomeEvent[];
  openReview: ReviewItem | null;
  /** A review that was open and no longer applies (the record was re-decided without it). */
  closeReview: string | null;
}

function factOf(record: RegistryRecord, patientId: string): EmittedFact {
  return {
    patientId, kind: record.kind, version: record.version, dateOfDeath: record.dateOfDeath,
    underlyingCause: record.underlyingCause, eventDate: record.eventDate,
  };
}

/**
 * The linkage service's `decide` for one record in one trial: from where the record stood
 * (`prev`, including what the outcome stream was told) and where it should stand now
 * (`target`), the outcome events that move the stream there, per feeds.md:
 * - a death linked → DeathLinked; a higher version of a linked death → DeathAmended;
 * - death-cancelled → DeathWithdrawn(cancelled) if a death was live;
 * - a link that moves to another patient, to review or to no one → DeathWithdrawn(relinked,
 *   or review-rejected after a reviewer's rejection) for the old patient first;
 * - embarkation / re-entry / no-trace → Embarked / ReEntered / NoTraceFlagged;
 * - review → LinkageReviewRequested once per record version.
 * Pure: ids are derived from the inputs, time is passed in.
 */
export function plan(input: PlanInput): Plan {
  const { trialId, record, target, prev, occurredAt } = input;
  let seq = prev?.seq ?? 0;
  let emitted = prev?.emitted ?? null;
  const events: OutcomeEvent[] = [];
  const suppressed: OutcomeEvent[] = [];
  const ref = { source: record.source, recordId: record.recordId, version: record.version };
  const push = (e: OutcomeEvent & { patientId: string }) => (input.withdrawn.has(e.patientId) ? suppressed : events).push(e);
  const base = (type: string, patientId: string) => ({
    v: 1 as const, eventId: deterministicId(type, trialId, patientId, record.source, record.recordId, record.version, ++seq),
    trialId, patientId, occurredAt, ...ref,
  });
  const linkedTo = target.status === 'linked' ? target.patientId : null;

  // 1. Retract a live fact from a patient the record no longer belongs to.
  if (emitted !== null && emitted.patientId !== linkedTo) {
    if (emitted.kind !== 'death-cancelled') {
      const reason = record.kind === 'death-cancelled' ? 'cancelled' : target.status === 'unlinked' && target.rejectedBy !== null ? 'review-rejected' : 'relinked';
      push({ ...base('DeathWithdrawn', emitted.patientId), type: 'DeathWithdrawn', reason });
    }
    emitted = null;
  }

  // 2. Bring the linked patient's fact up to date.
  if (target.status === 'linked') {
    const p = target.patientId;
    const fact = factOf(record, p);
    const newer = emitted === null || emitted.version < record.version || emitted.kind !== record.kind;
    switch (record.kind) {
      case 'death':
        if (emitted === null || emitted.kind !== 'death') {
          push({ ...base('DeathLinked', p), type: 'DeathLinked', dateOfDeath: record.dateOfDeath as string, underlyingCause: record.underlyingCause, evidence: target.evidence });
        } else if (newer) {
          push({ ...base('DeathAmended', p), type: 'DeathAmended', dateOfDeath: record.dateOfDeath as string, underlyingCause: record.underlyingCause });
        }
        emitted = fact;
        break;
      case 'death-cancelled':
        if (emitted !== null && emitted.kind !== 'death-cancelled') {
          push({ ...base('DeathWithdrawn', p), type: 'DeathWithdrawn', reason: 'cancelled' });
          emitted = fact;
        }
        // Nothing was live: a cancellation of a death never published needs no event.
        break;
      case 'embarkation':
        if (newer) push({ ...base('Embarked', p), type: 'Embarked', eventDate: record.eventDate as string });
        emitted = fact;
        break;
      case 're-entry':
        if (newer) push({ ...base('ReEntered', p), type: 'ReEntered', eventDate: record.eventDate as string });
        emitted = fact;
        break;
      case 'no-trace':
        if (newer) push({ ...base('NoTraceFlagged', p), type: 'NoTraceFlagged' });
        emitted = fact;
        break;
      default: {
        const never: never = record.kind;
        throw new Error(`unknown record kind ${String(never)}`);
      }
    }
  }

  // 3. Review: once per record version (a re-decision of the same version refreshes the item).
  let openReview: ReviewItem | null = null;
  let reviewId: string | null = null;
  if (target.status === 'review') {
    reviewId = input.reviewId;
    openReview = { reviewId, reason: target.reason, modelVersion: target.modelVersion, candidates: target.candidates, competing: target.competing };
    if (prev?.reviewId !== reviewId) {
      push({
        ...base('LinkageReviewRequested', target.bestPatientId), type: 'LinkageReviewRequested', reviewId,
        reason: target.reason, modelVersion: target.modelVersion, candidates: target.candidates,
      });
    }
  }
  const closeReview = prev?.reviewId && prev.reviewId !== reviewId && prev.status === 'review' ? prev.reviewId : null;

  return {
    next: { status: target.status, patientId: target.status === 'linked' ? target.patientId : target.status === 'review' ? target.bestPatientId : null, version: record.version, reviewId, emitted, seq, clerical: input.clerical },
    events, suppressed, openReview, closeReview,
  };
}
