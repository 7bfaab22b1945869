import { hexDigest, orderedJson } from './ordered-json';

/**
 * JSON with object keys sorted at every depth, compact: the same content always gives the same
 * text, whatever key order a producer (or Postgres jsonb) wrote it in. `sort()` without a
 * comparator orders keys by UTF-16 code units, as `<` does (content.spec.ts checks the text
 * against the plain version).
 */
const canonical = orderedJson({ comma: ',', colon: ':' });

/**
 * A short digest of a decoded message's content (sha-256 of its canonical JSON, hex). Stored
 * beside an applied event id, it tells a redelivery (same content: a no-op) from an id reused
 * for other content (refused). Of the decoded message, so keys a schema does not know are not
 * content.
 */
export function contentHash(value: unknown): string {
  return hexDigest('sha256', canonical(value)).slice(0, 32);
}
