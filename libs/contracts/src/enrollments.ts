import { z } from 'zod';
import { civilDate, eventId, nonEmpty, sex, text } from './common';

/** Events on `trial.enrollments` (feeds.md). Key: `trialId:patientId` (`trialId:` for TrialRegistered). */

export const trialRegistered = z.object({
  v: z.literal(1),
  type: z.literal('TrialRegistered'),
  eventId,
  trialId: nonEmpty,
  title: text(500),
  arms: z.array(nonEmpty).min(1),
  referenceArm: nonEmpty,
  plannedEvents: z.number().int().positive(),
  alpha: z.number().gt(0).lt(1),
  sided: z.union([z.literal(1), z.literal(2)]),
  looks: z.array(z.number().gt(0).lte(1)).min(1),
  spending: z.enum(['obrien-fleming', 'pocock']),
}).refine((e) => e.arms.includes(e.referenceArm), { path: ['referenceArm'], message: 'must be one of arms' })
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
  arm: nonEmpty,
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
