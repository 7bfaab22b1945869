import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth: the same content always gives the same text,
 * whatever key order a producer (or Postgres jsonb) wrote it in. Decoded messages are plain
 * JSON data (no Dates), which is all this handles.
 */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/**
 * A short digest of a decoded message's content (sha-256 of its canonical JSON, hex). Stored
 * beside an applied event id, it tells a redelivery (same content: a no-op) from an id reused
 * for other content (refused). Of the decoded message, so keys a schema does not know are not
 * content.
 */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('hex').slice(0, 32);
}
