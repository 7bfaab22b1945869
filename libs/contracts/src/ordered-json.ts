import * as crypto from 'node:crypto';

/** How orderedJson lays a value out: the order of an object's keys and the separators. */
export interface JsonLayout {
  /** Orders two keys; none for UTF-16 code-unit order (`sort()` without a comparator). */
  compare?: (a: string, b: string) => number;
  /** Between array items and object fields (`,` or `, `). */
  comma: string;
  /** Between a key and its value (`:` or `: `). */
  colon: string;
}

/**
 * A writer of JSON text with every object's keys in the layout's order, at every depth, so the
 * same content always gives the same text whatever key order it was built in. For plain JSON
 * data (no Dates): numbers as JSON.stringify writes them, undefined fields left out. Written with
 * loops and string appends, not entries/filter/map/join: replay writes a million events and half a
 * million patient rows this way, and the intermediate arrays were most of its cost. Objects come
 * in a few dozen shapes, each with its keys in one order, so the sort and the quoting are done
 * once per shape; the lookup checks the keys themselves (the joined text alone could match other
 * keys holding a NUL), and the cache is bounded for input of any shape.
 */
export function orderedJson(layout: JsonLayout): (value: unknown) => string {
  const { compare, comma, colon } = layout;
  const orders = new Map<string, KeyOrder>();
  function orderOf(given: string[]): KeyOrder {
    const id = given.join('\u0000');
    const hit = orders.get(id);
    if (hit !== undefined && sameKeys(hit.given, given)) return hit;
    const keys = compare ? [...given].sort(compare) : [...given].sort();
    const heads = keys.map((k) => `${JSON.stringify(k)}${colon}`);
    const order = { given, keys, heads, nextHeads: heads.map((h) => `${comma}${h}`) };
    if (orders.size >= MAX_ORDERS) orders.clear();
    orders.set(id, order);
    return order;
  }
  function write(value: unknown): string {
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
      for (let i = 0; i < value.length; i++) s += (i ? comma : '') + write(value[i]);
      return `${s}]`;
    }
    const o = value as Record<string, unknown>;
    const order = orderOf(Object.keys(o));
    let s = '{';
    let first = true;
    for (let i = 0; i < order.keys.length; i++) {
      const v = o[order.keys[i]];
      if (v === undefined) continue;
      s += (first ? order.heads[i] : order.nextHeads[i]) + write(v);
      first = false;
    }
    return `${s}}`;
  }
  return write;
}

/** An object shape's keys in order, each with its `"key":` text (and the same after a comma). */
interface KeyOrder {
  given: readonly string[];
  keys: string[];
  heads: string[];
  nextHeads: string[];
}

const MAX_ORDERS = 4096;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// One native call where Node has it (20.12+), else the streaming hash: the same digest.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** The hex digest of a text's UTF-8 bytes (sha256, md5, ...). */
export function hexDigest(algorithm: string, text: string): string {
  return oneShot ? oneShot(algorithm, text, 'hex') : crypto.createHash(algorithm).update(text).digest('hex');
}
