import { z } from 'zod';
import { civilDate, eventId, nonEmpty, prose, sex, text } from './common';
import { interimLookTaken, type InterimLookTaken } from './looks';
import { upcast } from './parse';
import { analysisPlan, monitoringPlan, Plans, variableValues } from './plans';
import { storedValue, type StoredAt } from './stored';

/** Events on `trial.enrollments` (feeds.md). Key: `trialId:patientId` (`trialId:` for TrialRegistered and InterimLookTaken). */

/**
 * Arm labels that cannot be arms, compared without case:
 * - the read-out's own group names: the monitor's pooled group is `all`, and an arm of that
 *   name put its numbers at risk into the monitor's view;
 * - the names JavaScript objects carry themselves (`__proto__`, `constructor`, `toString`,
 *   ...): an arm `__proto__` vanished from a read-out kept in a plain object, and its size
 *   could then be worked out from two pooled reads.
 * Keyed collections are Maps or prototype-less objects as well; this keeps a label that would
 * trip any consumer written otherwise out of the log altogether.
 */
export const RESERVED_ARM_LABELS: ReadonlySet<string> = new Set([
  'all',
  'pooled',
  'overall',
  'total',
  'prototype',
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

/**
 * TrialRegistered v2 adds the monitoring plan and the analysis plan to
 * v1's efficacy design (plans.ts). A v1 event is upcast on read (parse.ts `upcast`) to v2 with
 * the plans v1 implied: no futility, no design HR, 1:1, no strata, subgroups or endpoints.
 */
export const trialRegistered = z
  .object({
    v: z.literal(2),
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
    ...monitoringPlan,
    ...analysisPlan,
  })
  .refine((e) => e.arms.includes(e.referenceArm), { path: ['referenceArm'], message: 'must be one of arms' })
  .refine((e) => new Set(e.arms).size === e.arms.length, { path: ['arms'], message: 'duplicate-arm-label: each arm label must be given once' })
  // Information fractions of successive looks: a design whose looks go back has no boundaries
  // (Lan-DeMets needs increasing fractions), so it is refused here rather than by every read.
  .refine((e) => e.looks.every((f, i) => i === 0 || f > e.looks[i - 1]), { path: ['looks'], message: 'must increase' })
  .refine((e) => new Set(e.stratificationFactors).size === e.stratificationFactors.length, {
    path: ['stratificationFactors'],
    message: 'must each be given once',
  })
  .refine((e) => new Set(e.subgroups.map((g) => g.variable)).size === e.subgroups.length, {
    path: ['subgroups'],
    message: 'each variable must be given once',
  })
  .refine((e) => e.subgroups.every((g) => g.from !== 'stratum' || e.stratificationFactors.includes(g.variable)), {
    path: ['subgroups'],
    message: 'a subgroup from a stratum must name one of stratificationFactors',
  })
  .refine((e) => new Set(e.endpoints.map((p) => p.code)).size === e.endpoints.length, {
    path: ['endpoints'],
    message: 'each code must be given once',
  });
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

/**
 * PatientRandomised v2 adds the patient's value of each stratification factor and of each
 * covariate a subgroup reads; a v1 event reads as v2 with none.
 */
export const patientRandomised = z
  .object({
    v: z.literal(2),
    type: z.literal('PatientRandomised'),
    eventId,
    trialId: nonEmpty,
    patientId: nonEmpty,
    arm: armLabel,
    randomisedOn: civilDate,
    site: nonEmpty,
    ...identifying,
    strata: variableValues,
    covariates: variableValues,
  })
  .refine((e) => e.nhsNumber !== null || e.chiNumber !== null, {
    path: ['nhsNumber'],
    message: 'at least one of nhsNumber and chiNumber is required',
  });
export type PatientRandomised = z.infer<typeof patientRandomised>;

export const identifyingChanges = z
  .object({
    nhsNumber: identifying.nhsNumber.optional(),
    chiNumber: identifying.chiNumber.optional(),
    dateOfBirth: civilDate.optional(),
    sex: sex.optional(),
    familyName: nonEmpty.optional(),
    givenNames: identifying.givenNames.optional(),
    postcode: identifying.postcode.optional(),
  })
  .strict();
export type IdentifyingChanges = z.infer<typeof identifyingChanges>;

/** A v1 event of one patient: the fields every one of them starts with, in their order, then its own. */
function patientEventV1<T extends string, F extends z.ZodRawShape>(type: T, fields: F) {
  return z.object({ v: z.literal(1), type: z.literal(type), eventId, trialId: nonEmpty, patientId: nonEmpty, ...fields });
}

export const patientDetailsCorrected = patientEventV1('PatientDetailsCorrected', { changes: identifyingChanges });
export type PatientDetailsCorrected = z.infer<typeof patientDetailsCorrected>;

export const patientSeenAlive = patientEventV1('PatientSeenAlive', { seenOn: civilDate });
export type PatientSeenAlive = z.infer<typeof patientSeenAlive>;

export const consentWithdrawn = patientEventV1('ConsentWithdrawn', { effectiveOn: civilDate });
export type ConsentWithdrawn = z.infer<typeof consentWithdrawn>;

// The schema upcasts as it reads, so no reader of this topic can meet a v1 shape by skipping a step.
export const enrollmentEvent = z.preprocess(
  upcast,
  z.discriminatedUnion('type', [trialRegistered, patientRandomised, patientDetailsCorrected, patientSeenAlive, consentWithdrawn, interimLookTaken]),
);
export type EnrollmentEvent = z.infer<typeof enrollmentEvent>;

/** The v1 shapes, which producers written before v2 still publish (upcast on read, parse.ts). */
export type TrialRegisteredV1 = Omit<TrialRegistered, 'v' | keyof Plans> & { v: 1 };
export type PatientRandomisedV1 = Omit<PatientRandomised, 'v' | 'strata' | 'covariates'> & { v: 1 };
/** What a producer may publish on trial.enrollments: the current shapes or the v1 ones. */
export type EnrollmentMessage = EnrollmentEvent | TrialRegisteredV1 | PatientRandomisedV1;

/** A trial-wide enrolment event (no patient): TrialRegistered and InterimLookTaken. */
export function isTrialWide(e: EnrollmentMessage): e is TrialRegistered | TrialRegisteredV1 | InterimLookTaken {
  return e.type === 'TrialRegistered' || e.type === 'InterimLookTaken';
}

export function enrollmentKey(e: EnrollmentMessage): string {
  return isTrialWide(e) ? `${e.trialId}:` : `${e.trialId}:${e.patientId}`;
}

/**
 * A design read back from the database (rm_trials.design, read-out snapshots): rows written
 * before v2 hold a v1 event, so it is upcast and checked like a message, never cast.
 */
export function storedDesign(json: unknown, at: StoredAt = { table: 'rm_trials', column: 'design' }): TrialRegistered | null {
  if (json === null || json === undefined) return null;
  return storedValue(trialRegistered, upcast(json), at);
}
