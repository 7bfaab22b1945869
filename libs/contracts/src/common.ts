import { z } from 'zod';

/** A real civil date `YYYY-MM-DD` (no time zone). Rejects 2009-02-30 and friends. */
export const civilDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(isRealDate, 'is not a real calendar date');

export function isRealDate(s: string): boolean {
  // Arithmetic on the digits rather than a Date: ingest checks three dates a row, a million rows a file.
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  const y = digits(s, 0, 4),
    m = digits(s, 5, 7),
    d = digits(s, 8, 10);
  // Years before 100 were never real here (Date.UTC reads them as 19xx): kept so.
  if (y < 100 || m < 1 || m > 12 || d < 1) return false;
  return d <= daysInMonth(y, m);
}

/** The number written by s[from..to), or -1 if any of it is not a digit. */
function digits(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Proleptic Gregorian calendar, as Date.UTC uses. */
function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Whole days from `from` to `to` (both civil dates): `to - from`. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The civil date `days` after `date`. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export const sex = z.enum(['M', 'F', 'U']);
export type Sex = z.infer<typeof sex>;

export const registrySource = z.enum(['ONS', 'NRS']);
export type RegistrySource = z.infer<typeof registrySource>;

/**
 * Every string a message carries is bounded. The consumers store these in Postgres, whose index
 * rows hold about 2.7 kB: an unbounded id or name made a valid-looking message fail in the
 * database, and a database failure is retried (it may be the disk), so one such message held a
 * consumer for good. A bound turns it into a validation failure that names the field.
 */
export const MAX_ID = 200;

/**
 * The one text rule, for every string field of every message, checked by
 * the same schema at the edge (ingest's row validation, the API) and by every consumer's decode:
 * - no C0 control (U+0000-U+001F), DEL or C1 control (U+007F-U+009F): NUL cannot be stored by
 *   Postgres, and the others are invisible in a name, so two spellings that look the same would
 *   differ to a comparator; tab, line feed and carriage return only in free text (`prose`);
 * - no unpaired surrogate (not UTF-8 at all: Postgres refuses it in jsonb, Kafka's JSON
 *   producers differ in what they make of it).
 * Anything else is text, however unusual: right-to-left scripts, combining marks, emoji. A
 * reason names the rule, never the value (it may be a name).
 */
const LINE_CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
const PROSE_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const TEXT_RULE = {
  control: 'must not contain control characters',
  surrogate: 'must not contain an unpaired surrogate',
} as const;

/** Which part of the text rule `s` breaks, or null; `prose` allows tab and line breaks. */
export function textProblem(s: string, prose = false): string | null {
  if ((prose ? PROSE_CONTROL : LINE_CONTROL).test(s)) return TEXT_RULE.control;
  if (LONE_SURROGATE.test(s)) return TEXT_RULE.surrogate;
  return null;
}

/** Marks a zod issue as the text rule's, so a caller can tell it from a bound (see validateRow). */
export const TEXT_RULE_PARAM = 'text-rule';

function ruled(schema: z.ZodString, prose: boolean): z.ZodString {
  return schema.superRefine((s, ctx) => {
    const problem = textProblem(s, prose);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem, params: { rule: TEXT_RULE_PARAM } });
  });
}

/** Whether a zod issue is the text rule's (not a bound or a format). */
export function isTextRuleIssue(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'custom' && (issue.params as { rule?: unknown } | undefined)?.rule === TEXT_RULE_PARAM;
}

/** One line of text (names, ids, codes): bounded, no control character at all. */
export const text = (max: number) => ruled(z.string().max(max, `must be at most ${max} characters`), false);
/** Free text (a title, a reason, a note): bounded; tab and line breaks allowed, no other control. */
export const prose = (max: number) => ruled(z.string().max(max, `must be at most ${max} characters`), true);
/** Free text that must say something (trimmed, then at least one character). */
export const proseRequired = (max: number) => ruled(z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`), true);
export const nonEmpty = ruled(z.string().trim().min(1, 'is required').max(MAX_ID, `must be at most ${MAX_ID} characters`), false);
export const eventId = ruled(z.string().min(1, 'is required').max(MAX_ID, `must be at most ${MAX_ID} characters`), false);
/** A registry record's version: at most what the consumers store (a Postgres int), on every topic that carries one. */
/** A registration's version: a whole number from 1 to the largest Postgres integer, each bound named in its refusal. */
export const MAX_RECORD_VERSION = 2_147_483_647;
export const recordVersion = z
  .number()
  // The bound first: a number beyond 2^53 is not a safe integer either, and "too large" is what is wrong with it.
  .max(MAX_RECORD_VERSION, `must be at most ${MAX_RECORD_VERSION}`)
  .int('must be a whole number')
  .positive('must be 1 or more');
/**
 * An ISO instant as the services write it (`new Date().toISOString()`), bounded like every string.
 * The whole string is checked, not a prefix, and the date must be real: the linkage service
 * stores ReviewDecided.occurredAt in a timestamptz, and Postgres refuses '2024-01-01T99:99' or a
 * trailing 'x'. A database failure is retried (it may be the disk), so a prefix-only check let
 * one such message hold the consumer for good.
 */
const INSTANT = /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-](0\d|1[0-5]):?[0-5]\d)?$/;
export const instant = text(40)
  .regex(INSTANT, 'must be an ISO instant')
  .refine((s) => isRealDate(s.slice(0, 10)), 'is not a real calendar date');

/** Formats zod issues as `field: message; field: message`, naming the record's fields. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(message)'}: ${i.message}`).join('; ');
}
