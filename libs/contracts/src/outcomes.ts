import { z } from 'zod';
import { civilDate, eventId, instant, nonEmpty, prose, recordVersion, registrySource, text } from './common';
import { completenessCorrection } from './notifications';
import { reviewReason } from './review';

/**
 * Events on `followup.outcomes`, emitted by the linkage service. Key: `trialId:patientId`
 * (`registry:SOURCE` for RegistryExtractCompleted, which concerns every trial).
 * Past tense, versioned by `v`; a change of shape is a new `v` with an upcaster.
 */

/** Which registry record an outcome came from. */
const recordRef = {
  source: registrySource,
  recordId: nonEmpty,
  version: recordVersion,
};

/** How a link was made and why: model version, total weight, and per-field evidence. */
export const linkEvidence = z.object({
  method: z.enum(['deterministic', 'probabilistic', 'clerical']),
  modelVersion: text(100),
  weight: z.number().nullable(),
  fields: z.record(text(60), z.object({ level: text(40), weight: z.number() })),
  reviewer: text(200).nullable().optional(),
});
export type LinkEvidence = z.infer<typeof linkEvidence>;

const patientEvent = {
  v: z.literal(1),
  eventId,
  trialId: nonEmpty,
  patientId: nonEmpty,
  occurredAt: instant, // ISO instant the linkage service decided it (passed in, not read from a clock in domain code)
  /**
   * The event's place on its patient's outcome stream: 1, 2, 3... per (trial, patient), given
   * by the linkage service in the transaction that decides it. The projector
   * refuses an event whose seq does not exceed the last one it applied for the patient, so an
   * outcome published out of order goes to the DLQ instead of silently winning.
   *
   * Optional on v1 rather than a v2: it is additive, so logs written before it still parse (and
   * replay to the same read-out, unchecked), and a projector not yet upgraded still reads a new
   * linkage's events (zod drops the unknown key) instead of dead-lettering every one of them
   * during a rolling upgrade, which a new `v` would do.
   */
  seq: z.number().int().positive().optional(),
};

export const deathLinked = z.object({
  ...patientEvent,
  type: z.literal('DeathLinked'),
  ...recordRef,
  dateOfDeath: civilDate,
  underlyingCause: text(200).nullable(),
  evidence: linkEvidence,
});
export const deathAmended = z.object({
  ...patientEvent,
  type: z.literal('DeathAmended'),
  ...recordRef,
  dateOfDeath: civilDate,
  underlyingCause: text(200).nullable(),
});
export const deathWithdrawn = z.object({
  ...patientEvent,
  type: z.literal('DeathWithdrawn'),
  ...recordRef,
  reason: z.enum(['cancelled', 'relinked', 'review-rejected']),
});
export const embarked = z.object({ ...patientEvent, type: z.literal('Embarked'), ...recordRef, eventDate: civilDate });
export const reEntered = z.object({ ...patientEvent, type: z.literal('ReEntered'), ...recordRef, eventDate: civilDate });
export const noTraceFlagged = z.object({ ...patientEvent, type: z.literal('NoTraceFlagged'), ...recordRef });
export const deathConflictFlagged = z.object({
  ...patientEvent,
  type: z.literal('DeathConflictFlagged'),
  ...recordRef,
  otherRecordIds: z.array(nonEmpty).max(100),
});

export const reviewCandidate = z.object({
  patientId: nonEmpty,
  weight: z.number(),
  fields: z.record(text(60), z.object({ level: text(40), weight: z.number() })),
});
export const linkageReviewRequested = z.object({
  ...patientEvent,
  type: z.literal('LinkageReviewRequested'),
  ...recordRef,
  reviewId: nonEmpty,
  reason: reviewReason,
  modelVersion: text(100),
  candidates: z.array(reviewCandidate),
});

/**
 * A registry cannot be complete past the moment that was decided: linkage refuses such an
 * extract-complete, and this refinement makes every reader of followup.outcomes refuse one
 * published there by hand (a 2099 completeness once rewrote every trial's follow-up for good).
 */
const notAfterDecided = { message: 'is after the date it was decided (occurredAt)', path: ['completeUpTo'] };
const decidedBy = (e: { completeUpTo: string; occurredAt: string }) => e.completeUpTo <= e.occurredAt.slice(0, 10);

export const registryExtractCompleted = z
  .object({
    v: z.literal(1),
    type: z.literal('RegistryExtractCompleted'),
    eventId,
    occurredAt: instant,
    source: registrySource,
    completeUpTo: civilDate,
  })
  .refine(decidedBy, notAfterDecided);

/**
 * An audited correction of a registry's completeness: sets it to
 * `completeUpTo`, backwards too, where RegistryExtractCompleted only moves it forward. Later
 * extracts move it forward again as usual. Published by linkage from a `completeness-correction`
 * notification (the registry-admin role, POST /registry/completeness-corrections). Key: `registry:SOURCE`,
 * the same partition as that registry's extracts, so replay folds both in the order decided.
 */
export const registryCompletenessCorrected = z
  .object({
    v: z.literal(1),
    type: z.literal('RegistryCompletenessCorrected'),
    eventId,
    occurredAt: instant,
    // The reason's bound is the notification's (500): linkage copies it, and a tighter one here
    // sent an accepted, audited correction with a 201-500 character reason to the projector's DLQ.
    source: registrySource,
    completeUpTo: civilDate,
    reason: completenessCorrection.shape.reason,
    correctedBy: nonEmpty,
  })
  .refine(decidedBy, notAfterDecided);

export const outcomeEvent = z.discriminatedUnion('type', [
  deathLinked,
  deathAmended,
  deathWithdrawn,
  embarked,
  reEntered,
  noTraceFlagged,
  deathConflictFlagged,
  linkageReviewRequested,
  registryExtractCompleted,
  registryCompletenessCorrected,
]);
export type OutcomeEvent = z.infer<typeof outcomeEvent>;
export type DeathLinked = z.infer<typeof deathLinked>;
export type DeathAmended = z.infer<typeof deathAmended>;
export type DeathWithdrawn = z.infer<typeof deathWithdrawn>;
export type Embarked = z.infer<typeof embarked>;
export type ReEntered = z.infer<typeof reEntered>;
export type NoTraceFlagged = z.infer<typeof noTraceFlagged>;
export type DeathConflictFlagged = z.infer<typeof deathConflictFlagged>;
export type LinkageReviewRequested = z.infer<typeof linkageReviewRequested>;
export type RegistryExtractCompleted = z.infer<typeof registryExtractCompleted>;
export type RegistryCompletenessCorrected = z.infer<typeof registryCompletenessCorrected>;
/** The outcome events that concern a whole registry, not a patient (no trialId). */
export type RegistryEvent = RegistryExtractCompleted | RegistryCompletenessCorrected;
export function isRegistryEvent(e: OutcomeEvent): e is RegistryEvent {
  return e.type === 'RegistryExtractCompleted' || e.type === 'RegistryCompletenessCorrected';
}

export function outcomeKey(e: OutcomeEvent): string {
  return isRegistryEvent(e) ? `registry:${e.source}` : `${e.trialId}:${e.patientId}`;
}

/**
 * Clerical review decisions, on `linkage.reviews` (key: `reviewId`), made through the API by a
 * reviewer and applied by the linkage service like any other input.
 */
export const reviewDecided = z.object({
  v: z.literal(1),
  type: z.literal('ReviewDecided'),
  eventId,
  occurredAt: instant,
  reviewId: nonEmpty,
  decision: z.enum(['accept', 'reject']),
  patientId: nonEmpty.nullable(),
  reviewer: nonEmpty,
  note: prose(2000).nullable(),
});
export type ReviewDecided = z.infer<typeof reviewDecided>;
