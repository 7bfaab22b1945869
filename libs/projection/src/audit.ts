import { AUDIT_GENESIS, auditBody, chainHash } from '@trial/storage';
import { z } from 'zod';
import type { Sql } from './rows';
import { parsedRows, rows } from './rows';

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
 * What an audit row may keep of the query, by field: the longest value kept. An audit row is
 * kept for good and served by GET /audit, so nothing a caller adds to a URL reaches it (a
 * credential, an identifier, a nested object): only the read-out's own parameters (see
 * parseReadoutQuery in @trial/readmodel), what a stream push records, and a completeness
 * correction's fields. Anything else, a value that is not a short string or a finite number,
 * or a string that holds a token, is left out.
 */
const AUDITED_FIELDS: ReadonlyMap<string, number> = new Map([
  // The read-out's query string: times, RMST tau, CI type, ties, replay instant, cutoff date.
  ['at', 200],
  ['tau', 32],
  ['confType', 16],
  ['ties', 16],
  ['asOf', 40],
  ['dataCutoff', 16],
  // A stream push: which read-out was sent.
  ['eventsApplied', 20],
  // A look: its number.
  ['look', 8],
  // A review item viewed: which one.
  ['reviewId', 64],
  // The review queue listed: which status and how many items were shown.
  ['status', 16],
  ['shown', 8],
  // A completeness correction (the notification's schema bounds its reason at 500).
  ['correctionId', 100],
  ['source', 16],
  ['completeUpTo', 16],
  ['reason', 500],
  ['requestedAt', 40],
]);
// A JWT's base64url header always starts `eyJ` (`{"`).
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\./;

function keep(key: string, value: unknown): boolean {
  const max = AUDITED_FIELDS.get(key);
  if (max === undefined) return false;
  if (typeof value === 'number') return Number.isFinite(value) && String(value).length <= max;
  return typeof value === 'string' && value.length <= max && !JWT.test(value);
}

/** The query as audited: only the known fields, with short values, none holding a token. */
export function auditableQuery(query: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(query).filter(([k, v]) => keep(k, v)));
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

export type ChainVerdict =
  { ok: true; rows: number; head: { seq: number; hash: string } | null } | { ok: false; rows: number; brokenId: number | null; reason: string };

/**
 * Walks the whole audit chain in order, recomputing every hash in Node. The first row that
 * does not follow from the one before (altered, or after a removed row) or that is not in the
 * chain at all (written around audit_append, or with its seq cleared) is named. With `head`, a
 * head printed by an earlier verification and kept elsewhere, the chain must still hold it:
 * this catches what the links alone cannot, rows removed from the end or the whole chain
 * recomputed after a change.
 */
export async function verifyAuditChain(sql: Sql, batch = 5000, head?: { seq: number; hash: string }): Promise<ChainVerdict> {
  const unchained = await rows<{ id: string }>(
    sql,
    'select id from audit_log where seq is null or hash is null or prev_hash is null order by id limit 1',
  );
  let verified = 0;
  let prev = AUDIT_GENESIS;
  let expected = 1;
  for (;;) {
    const page = await rows<{
      id: string;
      seq: string;
      at: Date;
      sub: string;
      role: string;
      trial_id: string | null;
      view: string;
      query: unknown;
      prev_hash: string;
      hash: string;
    }>(sql, `select id, seq, at, sub, role, trial_id, view, query, prev_hash, hash from audit_log where seq >= $1 order by seq limit $2`, [
      expected,
      batch,
    ]);
    for (const r of page) {
      const id = Number(r.id);
      const seq = Number(r.seq);
      if (seq !== expected)
        return { ok: false, rows: verified, brokenId: id, reason: `seq ${seq} follows ${expected - 1}: rows are missing before it` };
      if (r.prev_hash !== prev) return { ok: false, rows: verified, brokenId: id, reason: "its prev_hash is not the previous row's hash" };
      const body = auditBody({ at: r.at.toISOString(), sub: r.sub, role: r.role, trialId: r.trial_id, view: r.view, query: r.query });
      if (chainHash(prev, seq, body) !== r.hash)
        return { ok: false, rows: verified, brokenId: id, reason: 'its content does not match its hash (altered)' };
      if (head && seq === head.seq && r.hash !== head.hash) {
        return {
          ok: false,
          rows: verified,
          brokenId: id,
          reason: `its hash is not the head recorded for seq ${head.seq}: the chain was rewritten up to here`,
        };
      }
      prev = r.hash;
      expected = seq + 1;
      verified++;
    }
    if (page.length < batch) break;
  }
  if (unchained.length)
    return { ok: false, rows: verified, brokenId: Number(unchained[0].id), reason: 'it is not in the chain (written around audit_append)' };
  // The walk starts at seq 1 and follows seq up: a row below 1, or a second row at a seq, is never
  // visited, and would still be listed by GET /audit. Every row up to the head must have been
  // walked. (Rows after the head are appends made since the walk ended.)
  const [{ n }] = await rows<{ n: string }>(sql, 'select count(*) as n from audit_log where seq <= $1', [expected - 1]);
  if (Number(n) !== verified) {
    const [stray] = await rows<{ id: string }>(sql, 'select id from audit_log where seq < 1 order by seq, id limit 1');
    return {
      ok: false,
      rows: verified,
      brokenId: stray ? Number(stray.id) : null,
      reason: `the table holds ${Number(n)} rows up to seq ${expected - 1} but the chain walked ${verified}: rows outside the chain (a seq below 1, or repeated)`,
    };
  }
  if (head && verified < head.seq)
    return {
      ok: false,
      rows: verified,
      brokenId: null,
      reason: `the recorded head is seq ${head.seq} but the chain ends at ${verified}: rows were removed from its end`,
    };
  return { ok: true, rows: verified, head: verified ? { seq: expected - 1, hash: prev } : null };
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
