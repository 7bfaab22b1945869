import { hexDigest, orderedJson } from '@trial/contracts';

/**
 * jsonb's text output for a value of plain JSON data (what `value::text` gives for the jsonb
 * that `JSON.stringify(value)` is stored as), so a digest of a row can be computed here and
 * compared with the one Postgres computes of a stored row (PATIENT_DIGEST_SQL). jsonb holds an object's keys
 * sorted by byte length, then bytewise, and prints `{"k": v, "k2": v2}` and `[a, b]`; strings
 * are escaped as JSON.stringify escapes them. Numbers are written as JSON.stringify writes them,
 * which is jsonb's text for every number that is not written with an exponent: a number that is
 * (1e21, 1e-7) renders differently from Postgres, so its row is taken as changed and compared in
 * full, never taken as equal when it is not.
 */
export const jsonbText = orderedJson({ compare: byJsonbOrder, comma: ', ', colon: ': ' });

const ASCII = /^[\x00-\x7f]*$/;

function byJsonbOrder(a: string, b: string): number {
  if (ASCII.test(a) && ASCII.test(b)) {
    // One byte a character: byte length is length, and bytewise is code-unit order.
    if (a.length !== b.length) return a.length - b.length;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length !== y.length ? x.length - y.length : Buffer.compare(x, y);
}

const UNIT = '\u001f';
const NULL = '\u001e';

/**
 * The digest of an rm_patients row, in SQL over the row's columns: md5 of the four columns' text,
 * jsonb's for the JSON ones, separated by a unit separator, with a record separator for NULL.
 * The columns are `json` (stored as written, in whatever key order and spacing the writer used),
 * so each is cast to jsonb for its text: the same content gives the same digest whoever wrote it.
 */
export const PATIENT_DIGEST_SQL = `md5(state::jsonb::text || E'\\x1f' || coalesce(registry, E'\\x1e') || E'\\x1f'
  || coalesce(followup::jsonb::text, E'\\x1e') || E'\\x1f' || coalesce(guard::jsonb::text, E'\\x1e'))`;

/**
 * The same digest (PATIENT_DIGEST_SQL) of a row with these columns, here over jsonbText: equal
 * digests mean an equal row. Not a security measure: it only spares replay from sending Postgres
 * the rows that have not changed.
 */
export function patientDigest(state: unknown, registry: string | null, followup: unknown, guard: unknown): string {
  return hexDigest(
    'md5',
    jsonbText(state) +
      UNIT +
      (registry ?? NULL) +
      UNIT +
      (followup === null ? NULL : jsonbText(followup)) +
      UNIT +
      (guard === null ? NULL : jsonbText(guard)),
  );
}
