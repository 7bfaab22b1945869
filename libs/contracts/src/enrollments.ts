import { z } from 'zod';
import { civilDate, eventId, nonEmpty, prose, sex, text } from './common';

/** Events on `trial.enrollments` (feeds.md). Key: `trialId:patientId` (`trialId:` for TrialRegistered). */

/**
 * Arm labels that cannot be arms (issue 12, item 6), compared without case:
 * - the read-out's own group names: the monitor's pooled group is `all`, and an arm of that
 *   name put its numbers at risk into the monitor's view;
 * - the names JavaScript objects carry themselves (`__proto__`, `constructor`, `toString`,
 *   ...): an arm `__proto__` vanished from a read-out kept in a plain object, and its size
 *   could then be worked out from two pooled reads.
 * Keyed collections are Maps or prototype-less objects as well; this keeps a label that would
 * trip any consumer written otherwise out of the log altogether.
 */
export const RESERVED_ARM_LABELS: ReadonlySet<string> = new Set([
  'all', 'pooled', 'overall', 'total', 'prototype',
  ...Object.getOwnPropertyNames(Object.prototype).map((n) => n.toLowerCase()),
]);

/** The coded refusal of an arm label, or null when it may be one. */
export function armLabelProblem(label: string): string | null {
  if (RESERVED_ARM_LABELS.has(label.trim().toLowerCase())) {
    return 'reserved-arm-label: all, pooled, overall, total and object property names (__proto__, constructor, prototype, ...) cannot label an arm';
  }
  return null;
}

/** An arm label: one line of text (the text rule), not empty, not reserved. */
export const armLabel = nonEmpty.superRefine((s, ctx) => {
  const problem = armLabelProblem(s);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

export const trialRegistered = z.object({
  v: z.literal(1),
  type: z.literal('TrialRegistered'),
  eventId,
  trialId: nonEmpty,
  title: prose(500),
  arms: z.array(armLabel).min(1),
  referenceArm: armLabel,
  plannedEvents: z.number().int().positive(),
  alpha: z.number().gt(0).lt(1),
  sided: z.union([z.literal(1), z.literal(2)]),
  looks: z.array(z.number().gt(0).lte(1)).min(1),
  spending: z.enum(['obrien-fleming', 'pocock']),
}).refine((e) => e.arms.includes(e.referenceArm), { path: ['referenceArm'], message: 'must be one of arms' })
  .refine((e) => new Set(e.arms).size === e.arms.length, { path: ['arms'], message: 'duplicate-arm-label: each arm label must be given once' })
  // Information fractions of successive looks: a design whose looks go back has no boundaries
  // (Lan-DeMets needs increasing fractions), so it is refused here rather than by every read.
  .refine((e) => e.looks.every((f, i) => i === 0 || f > e.looks[i - 1]), { path: ['looks'], message: 'must increase' });
export type TrialRegistered = z.infer<typeof trialRegistered>;

const identifying = {
  nhsNumber: text(20).nullable(),
  chiNumber: text(20).nullable(),
  dateOfBirth: civilDate,
  sex,
  familyName: nonEmpty,
  givenNames: text(200),
  postcode: text(16).nullable(),
};

export const patientRandomised = z.object({
  v: z.literal(1),
  type: z.literal('PatientRandomised'),
  eventId,
  trialId: nonEmpty,
  patientId: nonEmpty,
  arm: armLabel,
  randomisedOn: civilDate,
  site: nonEmpty,
  ...identifying,
}).refine((e) => e.nhsNumber !== null || e.chiNumber !== null, {
  path: ['nhsNumber'], message: 'at least one of nhsNumber and chiNumber is required',
});
export type PatientRandomised = z.infer<typeof patientRandomised>;

export const identifyingChanges = z.object({
  nhsNumber: identifying.nhsNumber.optional(),
  chiNumber: identifying.chiNumber.optional(),
  dateOfBirth: civilDate.optional(),
  sex: sex.optional(),
  familyName: nonEmpty.optional(),
  givenNames: identifying.givenNames.optional(),
  postcode: identifying.postcode.optional(),
}).strict();
export type IdentifyingChanges = z.infer<typeof identifyingChanges>;

export const patientDetailsCorrected = z.object({
  v: z.literal(1),
  type: z.literal('PatientDetailsCorrected'),
  eventId,
  trialId: nonEmpty,
  patientId: nonEmpty,
  changes: identifyingChanges,
});
export type PatientDetailsCorrected = z.infer<typeof patientDetailsCorrected>;

export const patientSeenAlive = z.object({
  v: z.literal(1),
  type: z.literal('PatientSeenAlive'),
  eventId,
  trialId: nonEmpty,
  patientId: nonEmpty,
  seenOn: civilDate,
});
export type PatientSeenAlive = z.infer<typeof patientSeenAlive>;

export const consentWithdrawn = z.object({
  v: z.literal(1),
  type: z.literal('ConsentWithdrawn'),
  eventId,
  trialId: nonEmpty,
  patientId: nonEmpty,
  effectiveOn: civilDate,
});
export type ConsentWithdrawn = z.infer<typeof consentWithdrawn>;

export const enrollmentEvent = z.discriminatedUnion('type', [
  trialRegistered, patientRandomised, patientDetailsCorrected, patientSeenAlive, consentWithdrawn,
]);
export type EnrollmentEvent = z.infer<typeof enrollmentEvent>;

export function enrollmentKey(e: EnrollmentEvent): string {
  return e.type === 'TrialRegistered' ? `${e.trialId}:` : `${e.trialId}:${e.patientId}`;
}
