import type { Sql } from './rows';
import { rows } from './rows';

/**
 * The unblinded views a DSMB member can open; each read is one audit row. And one action:
 * `completeness-correction`, a registry-admin's correction of a registry's completeness (who,
 * what and why; no trial, so trialId is null).
 */
export type AuditedView = 'trial' | 'survival' | 'interim' | 'adtte' | 'stream' | 'summary' | 'audit' | 'completeness-correction';

export interface AuditEntry {
  id: number;
  at: string;
  sub: string;
  role: string;
  trialId: string | null;
  view: AuditedView;
  query: Record<string, unknown>;
}

/** Appends one row (the table refuses updates and deletes). */
export async function recordAudit(sql: Sql, e: Omit<AuditEntry, 'id' | 'at'>): Promise<void> {
  await sql.query(`insert into audit_log (sub, role, trial_id, view, query) values ($1, $2, $3, $4, $5)`,
    [e.sub, e.role, e.trialId, e.view, JSON.stringify(e.query)]);
}

export async function listAudit(sql: Sql, filter: { trialId?: string; limit: number }): Promise<AuditEntry[]> {
  const list = await rows<{ id: string; at: Date; sub: string; role: string; trial_id: string | null; view: AuditedView; query: Record<string, unknown> }>(sql,
    `select id, at, sub, role, trial_id, view, query from audit_log where ($1::text is null or trial_id = $1) order by id desc limit $2`,
    [filter.trialId ?? null, filter.limit]);
  return list.map((r) => ({ id: Number(r.id), at: r.at.toISOString(), sub: r.sub, role: r.role, trialId: r.trial_id, view: r.view, query: r.query }));
}
