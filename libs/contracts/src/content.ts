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
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let s = '[';
    for (let i = 0; i < value.length; i++) s += (i ? ',' : '') + canonical(value[i]);
    return `${s}]`;
  }
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  let s = '{';
  let first = true;
  for (const k of keys) {
    const v = o[k];
    if (v === undefined) continue;
    s += `${first ? '' : ','}${JSON.stringify(k)}:${canonical(v)}`;
    first = false;
  }
  return `${s}}`;
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
