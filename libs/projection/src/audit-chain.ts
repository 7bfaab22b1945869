import { AUDIT_GENESIS, auditBody, chainHash } from '@trial/storage';
import type { Sql } from './rows';
import { rows } from './rows';

// The audit chain's verification (`followup audit verify`): the hashes recomputed in Node.

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
