import { auditBody } from '@trial/storage';
import { z } from 'zod';
import { auditableQuery } from './audit-query';
import type { Sql } from './rows';
import { parsedRows } from './rows';

/**
 * The unblinded views a DSMB member can open; each read is one audit row (`stream` when a
 * stream opens, `stream-push` for each by-arm read-out it sends). And one action:
 * `completeness-correction`, a registry-admin's correction of a registry's completeness (who,
 * what and why; no trial, so trialId is null).
 */
export const AUDITED_VIEWS = [
  'trial',
  'survival',
  'interim',
  'adtte',
  'adam',
  'stream',
  'stream-push',
  'summary',
  'audit',
  'completeness-correction',
  // An operator's discard of a dead letter (written by @trial/storage's discard, no trial).
  'dlq-discard',
  // The board's interim looks: taking one, the list, one frozen look.
  'look-taken',
  'looks',
  'look',
  // A reviewer opening one item of the clerical review queue: identifiers were shown;
  // and the queue listed (its open items carry identifiers too): which status, how many shown.
  'review',
  'review-list',
] as const;
export type AuditedView = (typeof AUDITED_VIEWS)[number];

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
 * Appends one row, chained to the previous one by audit_append (the table refuses updates
 * and deletes). Inside a caller's transaction the chain stays locked until it ends.
 */
export async function recordAudit(sql: Sql, e: Omit<AuditEntry, 'id' | 'at'>): Promise<void> {
  const at = new Date().toISOString();
  // As jsonb will hand it back: what the body hashes must be what verification reads.
  const query = JSON.parse(JSON.stringify(auditableQuery(e.query))) as Record<string, unknown>;
  const body = auditBody({ at, sub: e.sub, role: e.role, trialId: e.trialId, view: e.view, query });
  await sql.query('select audit_append($1, $2, $3, $4, $5, $6, $7)', [at, e.sub, e.role, e.trialId, e.view, JSON.stringify(query), body]);
}

/** audit_log as GET /audit lists it (the chain's verification reads the raw row: what it hashes). */
const auditRow = z.object({
  id: z.string(),
  at: z.date(),
  sub: z.string(),
  role: z.string(),
  trial_id: z.string().nullable(),
  view: z.enum(AUDITED_VIEWS),
  query: z.record(z.string(), z.unknown()),
});

/** Newest first, in chain order: seq is what the hashes cover, the id is not. */
export async function listAudit(sql: Sql, filter: { trialId?: string; limit: number }): Promise<AuditEntry[]> {
  const list = await parsedRows(
    sql,
    auditRow,
    { table: 'audit_log' },
    `select id, at, sub, role, trial_id, view, query from audit_log where ($1::text is null or trial_id = $1) order by seq desc limit $2`,
    [filter.trialId ?? null, filter.limit],
  );
  return list.map((r) => ({ id: Number(r.id), at: r.at.toISOString(), sub: r.sub, role: r.role, trialId: r.trial_id, view: r.view, query: r.query }));
}
