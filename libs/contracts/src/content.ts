import * as crypto from 'node:crypto';

/**
 * JSON with object keys sorted at every depth: the same content always gives the same text,
 * whatever key order a producer (or Postgres jsonb) wrote it in. Decoded messages are plain
 * JSON data (no Dates), which is all this handles. Written with loops and string appends, not
 * entries/filter/map/join: replay hashes every event of the log (a million of them) and the
 * intermediate arrays were most of its cost. `sort()` without a comparator orders keys by
 * UTF-16 code units, as `<` does (content.spec.ts checks the text against the plain version).
 */
function canonical(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // What JSON.stringify writes: the shortest round-trip text, null for NaN and infinities.
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    let s = '[';
    for (let i = 0; i < value.length; i++) s += (i ? ',' : '') + canonical(value[i]);
    return `${s}]`;
  }
  const o = value as Record<string, unknown>;
  const order = orderOf(Object.keys(o));
  let s = '{';
  let first = true;
  for (let i = 0; i < order.keys.length; i++) {
    const v = o[order.keys[i]];
    if (v === undefined) continue;
    s += (first ? order.heads[i] : order.nextHeads[i]) + canonical(v);
    first = false;
  }
  return `${s}}`;
}

/** An object shape's keys sorted, each with its `"key":` text (and `,"key":` after the first field). */
interface KeyOrder {
  given: readonly string[];
  keys: string[];
  heads: string[];
  nextHeads: string[];
}

// Decoded messages come in a few dozen shapes, each with its keys in one order: the sort and the
// quoting are done once per shape. The lookup checks the keys themselves (the joined text alone
// could match other keys holding a NUL), and the cache is bounded for input of any shape.
const orders = new Map<string, KeyOrder>();
const MAX_ORDERS = 1024;

function orderOf(given: string[]): KeyOrder {
  const id = given.join('\u0000');
  const hit = orders.get(id);
  if (hit !== undefined && sameKeys(hit.given, given)) return hit;
  const keys = [...given].sort();
  const heads = keys.map((k) => `${JSON.stringify(k)}:`);
  const order = { given, keys, heads, nextHeads: heads.map((h) => `,${h}`) };
  if (orders.size >= MAX_ORDERS) orders.clear();
  orders.set(id, order);
  return order;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// One native call where Node has it (20.12+), else the streaming hash: the same digest.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
const sha256Hex = oneShot
  ? (text: string): string => oneShot('sha256', text, 'hex')
  : (text: string): string => crypto.createHash('sha256').update(text).digest('hex');

/**
 * A short digest of a decoded message's content (sha-256 of its canonical JSON, hex). Stored
 * beside an applied event id, it tells a redelivery (same content: a no-op) from an id reused
 * for other content (refused). Of the decoded message, so keys a schema does not know are not
 * content.
 */
export function contentHash(value: unknown): string {
  return sha256Hex(canonical(value)).slice(0, 32);
}
