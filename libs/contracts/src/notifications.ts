import { z } from 'zod';
import { civilDate, instant, nonEmpty, proseRequired, recordVersion, registrySource, sex, text } from './common';

/** Messages on `registry.notifications` (feeds.md). Key: `source:recordId`. */

export const recordKinds = ['death', 'death-cancelled', 'embarkation', 're-entry', 'no-trace'] as const;
export const recordKind = z.enum(recordKinds);
export type RecordKind = z.infer<typeof recordKind>;

/**
 * An identifier the registry sent that fails its check (feeds.md, "Identifier checks"): the row
 * is kept and published with the number as given, and this says which one is damaged and why.
 * The reason names the rule, never the value. Informative only: linkage recomputes validity from
 * the number itself and does not trust this flag (a producer may omit it or get it wrong).
 */
export const identifierWarning = z.object({
  field: z.enum(['nhsNumber', 'chiNumber']),
  reason: text(200),
});
export type IdentifierWarning = z.infer<typeof identifierWarning>;

export const registryRecord = z.object({
  v: z.literal(1),
  source: registrySource,
  recordId: nonEmpty,
  // Ingest checks rows with this same schema.
  version: recordVersion,
  kind: recordKind,
  extractedOn: civilDate,
  nhsNumber: text(20).nullable(),
  chiNumber: text(20).nullable(),
  dateOfBirth: civilDate.nullable(),
  sex: sex.nullable(),
  familyName: text(200).nullable(),
  givenNames: text(200).nullable(),
  postcode: text(16).nullable(),
  dateOfDeath: civilDate.nullable(),
  dateOfRegistration: civilDate.nullable(),
  underlyingCause: text(200).nullable(),
  placeOfDeath: text(500).nullable(),
  eventDate: civilDate.nullable(),
  // Optional, so v1 messages written before it still decode; bounded like every field (one
  // entry a number, and a record carries at most the two).
  identifierWarnings: z.array(identifierWarning).max(2, 'must have at most 2 entries').optional(),
}).superRefine((r, ctx) => {
  if ((r.kind === 'death' || r.kind === 'death-cancelled') && r.dateOfDeath === null) {
    ctx.addIssue({ code: 'custom', path: ['dateOfDeath'], message: `is required for kind ${r.kind}` });
  }
  if ((r.kind === 'embarkation' || r.kind === 're-entry') && r.eventDate === null) {
    ctx.addIssue({ code: 'custom', path: ['eventDate'], message: `is required for kind ${r.kind}` });
  }
  if (r.dateOfBirth && r.dateOfDeath && r.dateOfDeath < r.dateOfBirth) {
    ctx.addIssue({ code: 'custom', path: ['dateOfDeath'], message: 'is before dateOfBirth' });
  }
});
export type RegistryRecord = z.infer<typeof registryRecord>;

/** `extract-complete`: every registration of `source` up to `completeUpTo` has been published. */
export const extractComplete = z.object({
  v: z.literal(1),
  source: registrySource,
  kind: z.literal('extract-complete'),
  completeUpTo: civilDate,
  extractedOn: civilDate.optional(),
});
export type ExtractComplete = z.infer<typeof extractComplete>;

/**
 * `completeness-correction`: an audited request (role registry-admin, POST
 * /registry/completeness-corrections) to set `source`'s completeness to `completeUpTo`, backwards
 * too; linkage publishes it as RegistryCompletenessCorrected. `correctedBy` is the requester's
 * token subject (never the token); `reason` is free text for the audit trail, with no personal data.
 */
export const completenessCorrection = z.object({
  v: z.literal(1),
  source: registrySource,
  kind: z.literal('completeness-correction'),
  correctionId: nonEmpty,
  completeUpTo: civilDate,
  reason: proseRequired(500),
  correctedBy: nonEmpty,
  requestedAt: instant,
});
export type CompletenessCorrection = z.infer<typeof completenessCorrection>;

export const registryNotification = z.union([extractComplete, completenessCorrection, registryRecord]);
export type RegistryNotification = z.infer<typeof registryNotification>;

export function notificationKey(n: RegistryNotification): string {
  if (n.kind === 'extract-complete') return `${n.source}:extract-complete:${n.completeUpTo}`;
  if (n.kind === 'completeness-correction') return `${n.source}:completeness-correction:${n.correctionId}`;
  return `${n.source}:${n.recordId}`;
}
