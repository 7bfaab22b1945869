import type { Sql } from './rows';
import { rows } from './rows';

/**
 * The unblinded views a DSMB member can open; each read is one audit row (`stream` when a
 * stream opens, `stream-push` for each by-arm read-out it sends). And one action:
 * `completeness-correction`, a registry-admin's correction of a registry's completeness (who,
 * what and why; no trial, so trialId is null).
 */
export type AuditedView = 'trial' | 'survival' | 'interim' | 'adtte' | 'stream' | 'stream-push' | 'summary' | 'audit' | 'completeness-correction';

export interface AuditEntry {
  id: number;
  at: string;
  sub: string;
  role: string;
  trialId: string | null;
  view: AuditedView;
  query: Record<string, unknown>;
}

/**
 * Query parameters that would carry a credential. The guard refuses them in a URL already;
 * they are dropped here as well, because an audit row is kept for good, and served by GET /audit.
 */
const CREDENTIAL_PARAMS = /^(access_token|token|ticket|id_token|refresh_token|authorization|password|secret)$/i;
// A JWT's base64url header always starts `eyJ` (`{"`).
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\./;

/** The query as audited: credential parameters, and any value that holds a token, left out. */
export function auditableQuery(query: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(query).filter(([k, v]) => !CREDENTIAL_PARAMS.test(k) && !JWT.test(JSON.stringify(v) ?? '')));
}

/** Appends one row (the table refuses updates and deletes). */
export async function recordAudit(sql: Sql, e: Omit<AuditEntry, 'id' | 'at'>): Promise<void> {
  await sql.query(`insert into audit_log (sub, role, trial_id, view, query) values ($1, $2, $3, $4, $5)`,
    [e.sub, e.role, e.trialId, e.view, JSON.stringify(auditableQuery(e.query))]);
}

export async function listAudit(sql: Sql, filter: { trialId?: string; limit: number }): Promise<AuditEntry[]> {
  const list = await rows<{ id: string; at: Date; sub: string; role: string; trial_id: string | null; view: AuditedView; query: Record<string, unknown> }>(sql,
    `select id, at, sub, role, trial_id, view, query from audit_log where ($1::text is null or trial_id = $1) order by id desc limit $2`,
    [filter.trialId ?? null, filter.limit]);
  return list.map((r) => ({ id: Number(r.id), at: r.at.toISOString(), sub: r.sub, role: r.role, trialId: r.trial_id, view: r.view, query: r.query }));
}
