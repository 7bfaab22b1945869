import { z } from 'zod';
import { describeIssues } from './common';
import { noPlans } from './plans';

/** A typed result: expected failures are values, not exceptions. */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export interface InvalidMessage {
  code: 'invalid-json' | 'invalid-message';
  reason: string;
}

/**
 * JSON.parse's error without the input: V8 quotes up to ten characters of it in some messages
 * (`Unexpected token 'S', "Smith 9434"... is not valid JSON`), and that text reaches the DLQ.
 * Only the messages that carry nothing but a position are kept as they are.
 */
export function jsonErrorReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : '';
  return msg === 'Unexpected end of JSON input' || /^[A-Za-z ,'{}[\]-]+ in JSON at position \d+( \(line \d+ column \d+\))?$/.test(msg)
    ? msg
    : 'unexpected token';
}

/**
 * True when a string (or key) anywhere in the value holds U+0000 or an unpaired surrogate:
 * Postgres text and jsonb refuse them, so such a message could never be applied, and since a
 * database error is retried rather than dead-lettered it would hold its consumer for good.
 */
export function unstorable(v: unknown): boolean {
  // A walk with its own stack, not recursion: JSON.parse takes any depth, and 200 kB of '['
  // made a recursive walk throw RangeError out of decode, which crashed the consumer on the
  // same batch after every restart.
  const todo: unknown[] = [v];
  while (todo.length) {
    const x = todo.pop();
    if (typeof x === 'string') {
      if (badString(x)) return true;
    } else if (Array.isArray(x)) {
      for (const y of x) todo.push(y);
    } else if (x !== null && typeof x === 'object') {
      for (const [k, y] of Object.entries(x)) {
        if (badString(k)) return true;
        todo.push(y);
      }
    }
  }
  return false;
}

function badString(s: string): boolean {
  return s.includes('\u0000') || /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

/**
 * False only when no string parsed from this JSON text can hold U+0000 or a lone surrogate, so
 * decode can skip the walk of `unstorable` (about a fifth of decode's time in the linkage service).
 * In JSON text a NUL can only be written as the escape \u0000 (a raw control character is not
 * JSON), and a surrogate as an escape \uD800-\uDFFF or as itself (a string input; bytes never
 * decode to one: Buffer.toString gives U+FFFD). Any of those, paired or not, or an escaped
 * backslash that only looks like one, costs the full walk and nothing else.
 */
export function mayHoldUnstorable(text: string): boolean {
  return /\\u(?:0000|[dD][89a-fA-F])|[\uD800-\uDFFF]/.test(text);
}

/** Decodes a Kafka value (JSON bytes) with a schema; the reason names each bad field. */
export function decode<S extends z.ZodType>(schema: S, raw: Buffer | string | null): Result<z.infer<S>, InvalidMessage> {
  if (raw === null) return { ok: false, error: { code: 'invalid-json', reason: 'empty message value' } };
  const text = raw.toString();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: { code: 'invalid-json', reason: `not JSON: ${jsonErrorReason(e)}` } };
  }
  // The schema first: every string field of every message follows the one text rule (common.ts),
  // so a NUL, a control or a lone surrogate in a known field is refused naming that field and
  // the rule, by every consumer alike. The walk after it is the backstop for
  // what no field rule sees (keys, fields the schema does not know), skipped when the text
  // cannot hold such a character at all.
  const parsed = schema.safeParse(upcast(json));
  if (!parsed.success) return { ok: false, error: { code: 'invalid-message', reason: describeIssues(parsed.error) } };
  if (mayHoldUnstorable(text) && unstorable(json)) {
    return {
      ok: false,
      error: { code: 'invalid-message', reason: 'a string holds a NUL character or an unpaired surrogate, which Postgres cannot store' },
    };
  }
  return { ok: true, value: parsed.data };
}

/**
 * Upcasters turn older message versions into the current shape before validation, so one
 * schema (the newest) gives the type and every reader sees one shape:
 * - TrialRegistered v1 -> v2: the plans v1 implied (plans.ts `noPlans`);
 * - PatientRandomised v1 -> v2: no strata and no covariates.
 * Only a plain v1 object of those types changes; anything else goes to the schema as it came,
 * which names what is wrong with it.
 */
export function upcast(json: unknown): unknown {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return json;
  const m = json as { v?: unknown; type?: unknown };
  if (m.v !== 1) return json;
  if (m.type === 'TrialRegistered') return { ...noPlans(), ...json, v: 2 };
  if (m.type === 'PatientRandomised') return { strata: {}, covariates: {}, ...json, v: 2 };
  return json;
}
