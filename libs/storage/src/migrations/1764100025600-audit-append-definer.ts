import { MigrationInterface, QueryRunner } from 'typeorm';

const AUDIT_APPEND = 'audit_append(timestamptz, text, text, text, text, jsonb, text)';

/**
 * audit_append becomes the only way the application role can write an audit row. Before, the
 * role held a plain INSERT on audit_log, so it could write a row with any seq and any hash;
 * verification walks the chain from seq 1, and a row at seq 0 or -5 was never looked at (and
 * GET /audit listed it). Now:
 * - audit_append runs as its owner (SECURITY DEFINER) with a fixed search_path, so no object
 *   the caller creates in another schema can stand in for audit_log or sha256;
 * - only the roles granted EXECUTE may call it (grantApplicationRole grants the application
 *   role; PUBLIC's default EXECUTE is revoked here);
 * - the application role's INSERT on audit_log is revoked there too;
 * - a seq below 1 is refused by the table itself, whoever writes it.
 */
export class AuditAppendDefiner1764100025600 implements MigrationInterface {
  name = 'AuditAppendDefiner1764100025600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table audit_log add constraint audit_log_seq_positive check (seq >= 1)`);
    await q.query(`alter function ${AUDIT_APPEND} security definer set search_path = public, pg_temp`);
    await q.query(`revoke execute on function ${AUDIT_APPEND} from public`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`grant execute on function ${AUDIT_APPEND} to public`);
    await q.query(`alter function ${AUDIT_APPEND} security invoker reset search_path`);
    await q.query(`alter table audit_log drop constraint audit_log_seq_positive`);
  }
}
