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

const registryRecordFields = z
  .object({
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
  })
  .superRefine((r, ctx) => {
    // A cancellation withdraws the registration it names (same recordId): it needs no date of
    // its own (feeds.md rejects only a death with no date of death), so it is never lost for one.
    if (r.kind === 'death' && r.dateOfDeath === null) {
      ctx.addIssue({ code: 'custom', path: ['dateOfDeath'], message: `is required for kind ${r.kind}` });
    }
    if ((r.kind === 'embarkation' || r.kind === 're-entry') && r.eventDate === null) {
      ctx.addIssue({ code: 'custom', path: ['eventDate'], message: `is required for kind ${r.kind}` });
    }
    if (r.dateOfBirth && r.dateOfDeath && r.dateOfDeath < r.dateOfBirth) {
      ctx.addIssue({ code: 'custom', path: ['dateOfDeath'], message: 'is before dateOfBirth' });
    }
  });

type RecordFields = z.infer<typeof registryRecordFields>;
type Common = Omit<RecordFields, 'kind' | 'dateOfDeath' | 'eventDate'>;

/**
 * A registry record, by `kind`: a death has its date of death (its cancellation may not), an
 * embarkation or a re-entry its event date. The schema checks exactly that (its refinement
 * above); the union lets a reader switch on `kind` and use the date without a cast.
 */
export type RegistryRecord =
  | (Common & { kind: 'death'; dateOfDeath: string; eventDate: string | null })
  | (Common & { kind: 'death-cancelled'; dateOfDeath: string | null; eventDate: string | null })
  | (Common & { kind: 'embarkation' | 're-entry'; dateOfDeath: string | null; eventDate: string })
  | (Common & { kind: 'no-trace'; dateOfDeath: string | null; eventDate: string | null });

/**
 * Whether the checked fields are the union (the refinement has made sure they are): a type
 * guard, not a copy, because every row of an extract passes here on its way in.
 */
function isByKind(r: RecordFields): r is RecordFields & RegistryRecord {
  switch (r.kind) {
    case 'death':
      return r.dateOfDeath !== null;
    case 'death-cancelled':
      return true;
    case 'embarkation':
    case 're-entry':
      return r.eventDate !== null;
    case 'no-trace':
      return true;
    default: {
      const never: never = r.kind;
      return never;
    }
  }
}

function byKind(r: RecordFields): RegistryRecord {
  if (isByKind(r)) return r;
  throw new Error(`registry record ${r.recordId}: a ${r.kind} passed the schema's refinement without its date`);
}

/** One registry record's schema; it decodes to the union by kind. */
export const registryRecord = registryRecordFields.transform(byKind);
/** A record as built before the schema has checked it (dates not yet known to match the kind). */
export type RegistryRecordInput = z.input<typeof registryRecord>;

/** `extract-complete`: every registration of `source` up to `completeUpTo` has been published. */
/** A registry-wide message on registry.notifications of `kind`: its first fields, in order, then its own. */
function registryMessage<K extends string, F extends z.ZodRawShape>(kind: K, fields: F) {
  return z.object({ v: z.literal(1), source: registrySource, kind: z.literal(kind), ...fields });
}

export const extractComplete = registryMessage('extract-complete', { completeUpTo: civilDate, extractedOn: civilDate.optional() });
export type ExtractComplete = z.infer<typeof extractComplete>;

/**
 * `completeness-correction`: an audited request (role registry-admin, POST
 * /registry/completeness-corrections) to set `source`'s completeness to `completeUpTo`, backwards
 * too; linkage publishes it as RegistryCompletenessCorrected. `correctedBy` is the requester's
 * token subject (never the token); `reason` is free text for the audit trail, with no personal data.
 */
export const completenessCorrection = registryMessage('completeness-correction', {
  correctionId: nonEmpty,
  completeUpTo: civilDate,
  reason: proseRequired(500),
  correctedBy: nonEmpty,
  requestedAt: instant,
});
export type CompletenessCorrection = z.infer<typeof completenessCorrection>;

// The union of the plain objects, narrowed after: a transform inside a union would hide which
// field of a record failed (zod reports a failed pipe as no match at all). Records first: zod
// tries the options in order and stops at the first that passes, so a record (nearly every
// message) is not first checked against two schemas it must fail (a fifth of decoding a
// record, measured). The kinds are disjoint, so the order changes no result: at most one
// option passes, and when none does the reason is the same (describeIssues prints the union's
// own issue, or the one option's issues that got past its kind).
export const registryNotification = z
  .union([registryRecordFields, extractComplete, completenessCorrection])
  .transform((n) => (n.kind === 'extract-complete' || n.kind === 'completeness-correction' ? n : byKind(n)));
export type RegistryNotification = z.infer<typeof registryNotification>;

export function notificationKey(n: RegistryNotification): string {
  if (n.kind === 'extract-complete') return `${n.source}:extract-complete:${n.completeUpTo}`;
  if (n.kind === 'completeness-correction') return `${n.source}:completeness-correction:${n.correctionId}`;
  return `${n.source}:${n.recordId}`;
}
