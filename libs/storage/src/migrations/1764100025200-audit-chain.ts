import { MigrationInterface, QueryRunner } from 'typeorm';
import { AUDIT_GENESIS, auditBody, chainHash } from '../audit-chain';

/** The advisory lock audit_append serialises the chain under (one writer extends it at a time). */
export const AUDIT_CHAIN_LOCK = 7261312;

/**
 * Audit_log rows are hash-chained (see audit-chain.ts). `seq` is the chain
 * order, assigned under an advisory transaction lock by audit_append, the one way rows are
 * written: the id of a bigserial is drawn before the lock, so ids need not follow commit order.
 * audit_append is a volatile plpgsql function, so its select of the last row runs after the
 * lock is held and sees the previous writer's committed row (a single INSERT...SELECT would
 * read with a snapshot taken before waiting). The body is built by the caller (auditBody) and
 * only hashed here; a row whose body does not match its columns fails verification.
 *
 * Rows written before this migration are chained here in id order (the append-only trigger is
 * set aside for that one update, by the table's owner).
 */
export class AuditChain1764100025200 implements MigrationInterface {
  name = 'AuditChain1764100025200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table audit_log add column seq bigint, add column prev_hash text, add column hash text`);
    const old = (await q.query(`select id, at, sub, role, trial_id, view, query from audit_log order by id`)) as Array<{
      id: string;
      at: Date;
      sub: string;
      role: string;
      trial_id: string | null;
      view: string;
      query: unknown;
    }>;
    if (old.length) {
      await q.query('alter table audit_log disable trigger audit_log_append_only');
      let prev = AUDIT_GENESIS;
      for (const [i, r] of old.entries()) {
        const seq = i + 1;
        const at = r.at.toISOString();
        const hash = chainHash(prev, seq, auditBody({ at, sub: r.sub, role: r.role, trialId: r.trial_id, view: r.view, query: r.query }));
        // `at` is rewritten to the millisecond it is hashed with (the body carries JavaScript's ISO form).
        await q.query('update audit_log set seq = $2, prev_hash = $3, hash = $4, at = $5 where id = $1', [r.id, seq, prev, hash, at]);
        prev = hash;
      }
      await q.query('alter table audit_log enable trigger audit_log_append_only');
    }
    await q.query(`alter table audit_log alter column seq set not null, alter column prev_hash set not null, alter column hash set not null`);
    await q.query(`create unique index audit_log_seq on audit_log (seq)`);
    await q.query(`create function audit_append(p_at timestamptz, p_sub text, p_role text, p_trial_id text, p_view text, p_query jsonb, p_body text)
      returns bigint language plpgsql volatile as $$
      declare last_seq bigint; last_hash text; new_id bigint;
      begin
        perform pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK});
        select seq, hash into last_seq, last_hash from audit_log order by seq desc limit 1;
        last_seq := coalesce(last_seq, 0);
        last_hash := coalesce(last_hash, '${AUDIT_GENESIS}');
        insert into audit_log (at, sub, role, trial_id, view, query, seq, prev_hash, hash)
          values (p_at, p_sub, p_role, p_trial_id, p_view, p_query, last_seq + 1, last_hash,
                  encode(sha256(convert_to(last_hash || '|' || (last_seq + 1)::text || '|' || p_body, 'UTF8')), 'hex'))
          returning id into new_id;
        return new_id;
      end $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop function audit_append(timestamptz, text, text, text, text, jsonb, text)');
    await q.query('drop index audit_log_seq');
    await q.query('alter table audit_log drop column seq, drop column prev_hash, drop column hash');
  }
}
