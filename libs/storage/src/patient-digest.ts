import * as crypto from 'node:crypto';

/**
 * jsonb's text output for a value of plain JSON data (what `value::text` gives for the jsonb
 * that `JSON.stringify(value)` is stored as), so a digest of a row can be computed here and
 * compared with the one Postgres computes of a stored row (PATIENT_DIGEST_SQL). jsonb holds an object's keys
 * sorted by byte length, then bytewise, and prints `{"k": v, "k2": v2}` and `[a, b]`; strings
 * are escaped as JSON.stringify escapes them. Numbers are written as JSON.stringify writes them,
 * which is jsonb's text for every number that is not written with an exponent: a number that is
 * (1e21, 1e-7) renders differently from Postgres, so its row is taken as changed and compared in
 * full, never taken as equal when it is not. Written with loops and appends: replay renders
 * half a million rows of about a kilobyte.
 */
export function jsonbText(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return 'null';
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    let s = '[';
    for (let i = 0; i < value.length; i++) s += (i ? ', ' : '') + (value[i] === undefined ? 'null' : jsonbText(value[i]));
    return `${s}]`;
  }
  const o = value as Record<string, unknown>;
  const order = jsonbKeyOrder(Object.keys(o));
  let s = '{';
  let first = true;
  for (let i = 0; i < order.keys.length; i++) {
    const v = o[order.keys[i]];
    if (v === undefined) continue;
    s += (first ? order.heads[i] : order.nextHeads[i]) + jsonbText(v);
    first = false;
  }
  return `${s}}`;
}

/** An object shape's keys in jsonb's order, each with its `"key": ` text (and `, "key": ` after the first). */
interface KeyOrder {
  given: readonly string[];
  keys: readonly string[];
  heads: readonly string[];
  nextHeads: readonly string[];
}

/** The order jsonb keeps an object's keys in: shorter (in UTF-8 bytes) first, then bytewise. */
function jsonbKeyOrder(given: string[]): KeyOrder {
  const id = given.join('\u0000');
  const hit = orders.get(id);
  if (hit !== undefined && sameKeys(hit.given, given)) return hit;
  const keys = given.length < 2 ? given : [...given].sort(byJsonbOrder);
  const heads = keys.map((k) => `${JSON.stringify(k)}: `);
  const order = { given, keys, heads, nextHeads: heads.map((h) => `, ${h}`) };
  if (orders.size >= MAX_ORDERS) orders.clear();
  orders.set(id, order);
  return order;
}

// Rows come in a few dozen object shapes, each with its keys in one order: sorted once per shape.
// Objects keyed by data (a patient's records) miss and are sorted each time; the cache is bounded.
const orders = new Map<string, KeyOrder>();
const MAX_ORDERS = 4096;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

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

const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
const md5Hex = oneShot
  ? (text: string): string => oneShot('md5', text, 'hex')
  : (text: string): string => crypto.createHash('md5').update(text).digest('hex');

const UNIT = '\u001f';
const NULL = '\u001e';

/**
 * The digest of an rm_patients row, in SQL over the row's columns: md5 of the four columns' text,
 * jsonb's for the jsonb ones, separated by a unit separator, with a record separator for NULL.
 */
export const PATIENT_DIGEST_SQL = `md5(state::text || E'\\x1f' || coalesce(registry, E'\\x1e') || E'\\x1f' || coalesce(followup::text, E'\\x1e')
  || E'\\x1f' || coalesce(guard::text, E'\\x1e'))`;

/**
 * The same digest (PATIENT_DIGEST_SQL) of a row with these columns, here over jsonbText: equal
 * digests mean an equal row. Not a security measure: it only spares replay from sending Postgres
 * the rows that have not changed.
 */
export function patientDigest(state: unknown, registry: string | null, followup: unknown, guard: unknown): string {
  return md5Hex(
    jsonbText(state) +
      UNIT +
      (registry ?? NULL) +
      UNIT +
      (followup === null ? NULL : jsonbText(followup)) +
      UNIT +
      (guard === null ? NULL : jsonbText(guard)),
  );
}
