import { DataSource } from 'typeorm';
import { createDataSource, migrate } from './data-source';

/**
 * Least privilege. The services connect as an application role that may
 * read and write rows but not change the schema: not the tables' owner, so it cannot alter a
 * table, drop or disable a trigger, or truncate; not a superuser, so it cannot set
 * session_replication_role to skip triggers. Migrations run as the owner role, which then grants
 * the application role what it needs here, after every migration (a new table is covered the
 * next time a service starts). scripts/infra.sh creates both roles.
 */

/**
 * Tables whose rows are never updated or deleted (their triggers refuse it too): INSERT and
 * SELECT only, and for audit_log SELECT only (rows go in through audit_append).
 */
export const APPEND_ONLY_TABLES = ['audit_log', 'rm_patient_history', 'rm_completeness_history', 'rm_readout_history'];

/** The one way the application role writes an audit row. */
const AUDIT_APPEND = 'audit_append(timestamptz, text, text, text, text, jsonb, text)';

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Serialises the grants of services starting at once (the migrations' lock is 7261301). */
const GRANT_LOCK = 7261302;

/** The role a postgres:// URL connects as. */
export function roleOf(url: string): string {
  const name = decodeURIComponent(new URL(url).username || 'postgres');
  if (!ROLE_NAME.test(name)) throw new Error(`database role ${JSON.stringify(name)}: use lower-case letters, digits and _`);
  return name;
}

/** Run by the owner: the application role's rights on every table and sequence of the schema. */
export async function grantApplicationRole(owner: DataSource, appRole: string): Promise<void> {
  if (!ROLE_NAME.test(appRole)) throw new Error(`database role ${JSON.stringify(appRole)}: use lower-case letters, digits and _`);
  const role = `"${appRole}"`;
  await owner.transaction(async (tx) => {
    // Services start together: concurrent GRANTs on one table fail with "tuple concurrently updated".
    await tx.query('select pg_advisory_xact_lock($1)', [GRANT_LOCK]);
    await tx.query(`grant usage on schema public to ${role}`);
    await tx.query(`revoke create on schema public from ${role}`);
    await tx.query(`grant select, insert, update, delete on all tables in schema public to ${role}`);
    await tx.query(`revoke truncate, references, trigger on all tables in schema public from ${role}`);
    await tx.query(`grant usage, select on all sequences in schema public to ${role}`);
    const appendOnly = (await tx.query(`select tablename from pg_tables where schemaname = 'public' and tablename = any($1)`, [
      APPEND_ONLY_TABLES,
    ])) as Array<{ tablename: string }>;
    for (const { tablename } of appendOnly) await tx.query(`revoke update, delete on ${tablename} from ${role}`);
    // Audit rows are written only through audit_append (SECURITY DEFINER, see its migration), which
    // assigns the chain's seq and hash: a plain INSERT could write a row outside the chain.
    if (appendOnly.some((t) => t.tablename === 'audit_log')) await tx.query(`revoke insert on audit_log from ${role}`);
    const [fn] = (await tx.query(`select to_regprocedure($1) is not null as present`, [AUDIT_APPEND])) as Array<{ present: boolean }>;
    if (fn.present) await tx.query(`grant execute on function ${AUDIT_APPEND} to ${role}`);
    // The migrations' record is the owner's: the services read it, never write it.
    const [mig] = (await tx.query(`select to_regclass('public.schema_migrations') is not null as present`)) as Array<{ present: boolean }>;
    if (mig.present) await tx.query(`revoke insert, update, delete on schema_migrations from ${role}`);
  });
}

/**
 * The services' data source, migrated: with `migrationUrl` (the owner) the migrations run on
 * a connection of their own as the owner, who then grants the role of `url`; without it (a
 * development database, the test suites) they run as whoever `url` is.
 */
export async function openMigrated(
  url: string,
  migrationUrl: string | undefined,
  extra: { applicationName?: string; poolSize?: number } = {},
): Promise<DataSource> {
  if (migrationUrl && roleOf(migrationUrl) !== roleOf(url)) {
    // Two connections: migrate holds one for its advisory lock while it runs on another.
    const owner = await createDataSource(migrationUrl, {
      applicationName: `${extra.applicationName ?? 'followup'}-migrate`,
      poolSize: 2,
    }).initialize();
    try {
      await migrate(owner);
      await grantApplicationRole(owner, roleOf(url));
    } finally {
      await owner.destroy();
    }
    return createDataSource(url, extra).initialize();
  }
  const ds = await createDataSource(url, extra).initialize();
  await migrate(ds);
  return ds;
}
