import { suppressedByWithdrawal, type Decider, type OutcomeEvent, type RegistryRecord, type Result } from '@trial/contracts';
import { deterministicId } from './ids';
import type { EmittedFact, LinkageCommand, LinkageEvent, LinkState, ReviewItem } from './types';

type Outcome = OutcomeEvent & { patientId: string };

function factOf(record: RegistryRecord, patientId: string): EmittedFact {
  return {
    patientId,
    kind: record.kind,
    version: record.version,
    dateOfDeath: record.dateOfDeath,
    underlyingCause: record.underlyingCause,
    eventDate: record.eventDate,
  };
}

/**
 * The linkage service's decision for one record in one trial: from where the record stood
 * (the state, including what the outcome stream was told) and where it should stand now (the
 * command's `target`), the outcome events that move the stream there, per feeds.md:
 * - a death linked → DeathLinked; a higher version of a linked death → DeathAmended;
 * - death-cancelled → DeathWithdrawn(cancelled) if a death was live;
 * - a link that moves to another patient, to review or to no one → DeathWithdrawn(relinked,
 *   or review-rejected after a reviewer's rejection) for the old patient first;
 * - embarkation / re-entry / no-trace → Embarked / ReEntered / NoTraceFlagged;
 * - review → LinkageReviewRequested once per record version.
 * An event about a withdrawn patient is decided but not published (suppressedByWithdrawal).
 * Then the review to open or close, and the link's new standing. Never rejects: the model's
 * target is already the decision; this is how the stream follows it. Pure: ids are derived
 * from the command and state, time comes in with the command.
 */
function decide(command: LinkageCommand, prev: LinkState): Result<LinkageEvent[], never> {
  const { trialId, record, target, occurredAt } = command;
  let seq = prev.seq;
  let emitted = prev.emitted;
  const out: LinkageEvent[] = [];
  const ref = { source: record.source, recordId: record.recordId, version: record.version };
  const push = (event: Outcome) =>
    out.push({ type: 'OutcomeDecided', event, published: !suppressedByWithdrawal(command.withdrawn, event.patientId) });
  const base = (type: OutcomeEvent['type'], patientId: string) => ({
    v: 1 as const,
    eventId: deterministicId(type, trialId, patientId, record.source, record.recordId, record.version, ++seq),
    trialId,
    patientId,
    occurredAt,
    ...ref,
  });
  const linkedTo = target.status === 'linked' ? target.patientId : null;

  // 1. Retract a live fact from a patient the record no longer belongs to.
  if (emitted !== null && emitted.patientId !== linkedTo) {
    if (emitted.kind !== 'death-cancelled') {
      const rejected = target.status === 'unlinked' && target.rejectedBy !== null;
      const reason = record.kind === 'death-cancelled' ? 'cancelled' : rejected ? 'review-rejected' : 'relinked';
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
      case 'death': {
        const death = { dateOfDeath: record.dateOfDeath, underlyingCause: record.underlyingCause };
        if (emitted === null || emitted.kind !== 'death') {
          push({ ...base('DeathLinked', p), type: 'DeathLinked', ...death, evidence: target.evidence });
        } else if (newer) push({ ...base('DeathAmended', p), type: 'DeathAmended', ...death });
        emitted = fact;
        break;
      }
      case 'death-cancelled':
        if (emitted !== null && emitted.kind !== 'death-cancelled') {
          push({ ...base('DeathWithdrawn', p), type: 'DeathWithdrawn', reason: 'cancelled' });
          emitted = fact;
        }
        // Nothing was live: a cancellation of a death never published needs no event.
        break;
      case 'embarkation':
        if (newer) push({ ...base('Embarked', p), type: 'Embarked', eventDate: record.eventDate });
        emitted = fact;
        break;
      case 're-entry':
        if (newer) push({ ...base('ReEntered', p), type: 'ReEntered', eventDate: record.eventDate });
        emitted = fact;
        break;
      case 'no-trace':
        if (newer) push({ ...base('NoTraceFlagged', p), type: 'NoTraceFlagged' });
        emitted = fact;
        break;
      default: {
        const never: never = record;
        throw new Error(`unknown record kind ${JSON.stringify(never)}`);
      }
    }
  }

  // 3. Review: once per record version (a re-decision of the same version refreshes the item).
  let reviewId: string | null = null;
  if (target.status === 'review') {
    reviewId = command.reviewId;
    const item: ReviewItem = {
      reviewId,
      reason: target.reason,
      modelVersion: target.modelVersion,
      candidates: target.candidates,
      competing: target.competing,
    };
    if (prev.reviewId !== reviewId) {
      push({
        ...base('LinkageReviewRequested', target.bestPatientId),
        type: 'LinkageReviewRequested',
        reviewId,
        reason: target.reason,
        modelVersion: target.modelVersion,
        candidates: target.candidates,
      });
    }
    out.push({ type: 'ReviewOpened', item });
  }
  if (prev.reviewId !== null && prev.reviewId !== '' && prev.reviewId !== reviewId && prev.status === 'review') {
    out.push({ type: 'ReviewClosed', reviewId: prev.reviewId });
  }

  const patientId = target.status === 'linked' ? target.patientId : target.status === 'review' ? target.bestPatientId : null;
  const link = { status: target.status, patientId, version: record.version, reviewId, emitted, clerical: command.clerical };
  out.push({ type: 'LinkSettled', link });
  return { ok: true, value: out };
}

/** Folds one decided event: each outcome event counts towards the next id, the settlement sets the rest. */
function evolve(state: LinkState, event: LinkageEvent): LinkState {
  switch (event.type) {
    case 'OutcomeDecided':
      return { ...state, seq: state.seq + 1 };
    case 'ReviewOpened':
    case 'ReviewClosed':
      // The review queue is its own table; the link keeps only the id, which LinkSettled carries.
      return state;
    case 'LinkSettled': {
      // A literal (the link's keys in order, then seq), not a spread: V8 builds a spread followed
      // by more properties on a slow path, and every decision of the live service settles once.
      const l = event.link;
      return {
        status: l.status,
        patientId: l.patientId,
        version: l.version,
        reviewId: l.reviewId,
        emitted: l.emitted,
        clerical: l.clerical,
        seq: state.seq,
      };
    }
    default: {
      const never: never = event;
      throw new Error(`unknown linkage event ${JSON.stringify(never)}`);
    }
  }
}

/** A record never decided in this trial: unlinked, nothing emitted. */
const initialState = (): LinkState => ({ status: 'unlinked', patientId: null, version: 0, reviewId: null, emitted: null, seq: 0, clerical: null });

/** The linkage service's decider: one record in one trial, the one `LinkageService` runs. */
export const linkageDecider: Decider<LinkageCommand, LinkageEvent, LinkState> = { decide, evolve, initialState };
