import { createHash } from 'node:crypto';

/**
 * The audit log's hash chain. Row n's hash is
 * sha256(hash of row n-1 | n | body of row n), where the body is a canonical serialisation of
 * what the row says. Changing, removing or slipping in a row breaks every later link, so
 * tampering shows even when done by the table's owner with its triggers disabled (who can
 * write any row, but cannot make a changed row hash as before). A rewrite of the whole chain
 * from the altered row on is caught by comparing its head with one recorded earlier elsewhere
 * (`followup audit verify` prints it).
 */
export const AUDIT_GENESIS = '0'.repeat(64);

export interface AuditBodyFields {
  at: string;
  sub: string;
  role: string;
  trialId: string | null;
  view: string;
  query: unknown;
}

/** JSON with object keys in code-unit order, so a jsonb round trip (which reorders keys) serialises the same. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

export function auditBody(f: AuditBodyFields): string {
  return JSON.stringify([f.at, f.sub, f.role, f.trialId, f.view, canonical(f.query)]);
}

/** The same computation as the database function audit_append, in Node: the verifier trusts no SQL the owner could replace. */
export function chainHash(prev: string, seq: number | string, body: string): string {
  return createHash('sha256').update(`${prev}|${seq}|${body}`, 'utf8').digest('hex');
}
