import { Client } from 'pg';
import { DataSource, DataSourceOptions, MigrationInterface } from 'typeorm';
import { register } from '../../apps/cli/src/commands/audit';
import { listAudit, recordAudit, verifyAuditChain } from '@trial/projection';
import { auditBody, chainHash, createDataSource, openMigrated } from '@trial/storage';
import { migrations } from '../../libs/storage/src/migrations';
import { runCli } from '../support/cli';
import { privateDatabase, privateDatabaseWithRoles, uniqueId } from '../support';

/**
 * The audit chain and least privilege, on the real Postgres: scripts/infra.sh creates an owner and an application
 * role; migrations run as the owner; the application role can append to audit_log and read it,
 * and can neither change a row nor get around the triggers; every audit row is chained by hash,
 * and `followup audit verify` names the first row the owner altered, removed or slipped in with
 * the triggers disabled.
 */
describe('database roles and the audit hash chain (real Postgres)', () => {
  const label = uniqueId('chain').replace(/-/g, '_');
  const db = privateDatabaseWithRoles(label);
  const roles = db.roles;
  let env: { DATABASE_URL: string; MIGRATION_DATABASE_URL: string };
  let app: DataSource;
  let owner: Client;
  let head = '';

  beforeAll(async () => {
    await db.create();
    env = db.pgUp(); // idempotent: a second run changes nothing and does not fail
    app = await openMigrated(env.DATABASE_URL, env.MIGRATION_DATABASE_URL, { poolSize: 6 });
    owner = new Client({ connectionString: env.MIGRATION_DATABASE_URL });
    await owner.connect();
  });

  afterAll(async () => {
    await app?.destroy();
    await owner?.end();
    await db.drop();
  });

  it('writes pg.env with the app role for the services and the owner for migrations', async () => {
    expect(env.DATABASE_URL).toMatch(new RegExp(`^postgres://${roles.app}@[^/]+/${db.name}$`));
    expect(env.MIGRATION_DATABASE_URL).toMatch(new RegExp(`^postgres://${roles.owner}@[^/]+/${db.name}$`));
    const [who] = (await app.query(
      `select current_user as u, rolsuper, rolcreaterole, rolcreatedb from pg_roles where rolname = current_user`,
    )) as Array<{ u: string; rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean }>;
    expect(who).toEqual({ u: roles.app, rolsuper: false, rolcreaterole: false, rolcreatedb: false });
    const [t] = (await app.query(`select tableowner from pg_tables where tablename = 'audit_log'`)) as Array<{ tableowner: string }>;
    expect(t.tableowner).toBe(roles.owner);
    expect(((await app.query(`select count(*)::int as n from schema_migrations`)) as Array<{ n: number }>)[0].n).toBe(migrations.length);
  });

  it('lets the app role append audit rows and write its tables, but not change audit rows, the schema or the triggers', async () => {
    await recordAudit(app, { sub: 'dsmb-a', role: 'dsmb', trialId: 'T1', view: 'survival', query: { tau: '365' } });
    await app.query(`insert into rm_trials (trial_id) values ('T1')`);
    await app.query(`delete from rm_trials where trial_id = 'T1'`);
    const refused: Array<[string, RegExp]> = [
      [`update audit_log set sub = 'x'`, /permission denied/],
      [`delete from audit_log`, /permission denied/],
      [`truncate audit_log`, /permission denied/],
      [`alter table audit_log disable trigger audit_log_append_only`, /must be owner/],
      [`drop trigger audit_log_append_only on audit_log`, /must be owner/],
      [`set session_replication_role = replica`, /permission denied/],
      [`create table sneaky (x int)`, /permission denied/],
      [
        `create or replace function audit_append(timestamptz, text, text, text, text, jsonb, text) returns bigint language sql as 'select 1::bigint'`,
        /must be owner|permission denied/,
      ],
      [`alter table audit_log add column x int`, /must be owner/],
      // Audit rows go in through audit_append alone: a plain INSERT could write a row outside the chain.
      [
        `insert into audit_log (sub, role, trial_id, view, query, seq, prev_hash, hash) values ('dsmb-a', 'dsmb', 'T1', 'trial', '{}', 0, 'x', 'y')`,
        /permission denied/,
      ],
      // The migrations' record is the owner's.
      [`insert into schema_migrations (timestamp, name) values (1, 'Sneaky1')`, /permission denied/],
      [`update schema_migrations set name = name`, /permission denied/],
      [`delete from schema_migrations where false`, /permission denied/],
    ];
    for (const [sql, error] of refused) await expect(app.query(sql)).rejects.toThrow(error);
  });

  it('chains concurrent writers into one unbroken chain that followup audit verify accepts', async () => {
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        recordAudit(app, {
          sub: `dsmb-${i % 3}`,
          role: 'dsmb',
          trialId: `T${i % 2}`,
          view: i % 2 ? 'stream-push' : 'interim',
          query: { asOf: `2026-01-0${(i % 9) + 1}`, n: i, nested: { b: 1, a: [i] } },
        }),
      ),
    );
    const v = await verifyAuditChain(app, 7); // pages of 7: the walk crosses page boundaries
    expect(v).toMatchObject({ ok: true, rows: 25 });
    const seqs = ((await app.query('select seq from audit_log order by seq')) as Array<{ seq: string }>).map((r) => Number(r.seq));
    expect(seqs).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    const run = await runCli([register], ['audit', 'verify'], { DATABASE_URL: env.DATABASE_URL });
    expect(run).toMatchObject({ code: 0 });
    expect(run.out).toMatch(/^audit chain verified: 25 rows; head seq 25 hash [0-9a-f]{64} \(--head 25:[0-9a-f]{64}\)\n$/);
    head = /--head (\d+:[0-9a-f]{64})/.exec(run.out)![1];
  });

  it('with a recorded head, catches rows cut from the end and a chain recomputed after a change', async () => {
    const verify = (...args: string[]) => runCli([register], ['audit', 'verify', ...args], { DATABASE_URL: env.DATABASE_URL });
    const asOwner = async (work: () => Promise<unknown>) => {
      await owner.query('alter table audit_log disable trigger audit_log_append_only');
      try {
        await work();
      } finally {
        await owner.query('alter table audit_log enable trigger audit_log_append_only');
      }
    };
    const rowsFrom = async (seq: number) =>
      (await owner.query('select * from audit_log where seq >= $1 order by seq', [seq])).rows as Array<Record<string, unknown>>;
    const put = (r: Record<string, unknown>) =>
      owner.query(
        `insert into audit_log (id, at, sub, role, trial_id, view, query, seq, prev_hash, hash) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [r.id, r.at, r.sub, r.role, r.trial_id, r.view, JSON.stringify(r.query), r.seq, r.prev_hash, r.hash],
      );
    expect((await verify('--head', head)).code).toBe(0);
    const [r24, r25] = await rowsFrom(24);

    await asOwner(() => owner.query('delete from audit_log where seq = 25'));
    expect((await verify()).code).toBe(0); // the links alone cannot tell
    let run = await verify('--head', head);
    expect(run.code).toBe(1);
    expect(run.err).toContain('the recorded head is seq 25 but the chain ends at 24: rows were removed from its end');

    // Row 24 changed and 24 and 25 re-hashed, as someone who knows the algorithm would.
    await asOwner(async () => {
      await owner.query('delete from audit_log where seq = 24');
      const at = (r24.at as Date).toISOString();
      const query = { asOf: '1999-01-01' };
      const h24 = chainHash(
        r24.prev_hash as string,
        24,
        auditBody({ at, sub: r24.sub as string, role: r24.role as string, trialId: r24.trial_id as string, view: r24.view as string, query }),
      );
      await put({ ...r24, query, hash: h24 });
      const at25 = (r25.at as Date).toISOString();
      const h25 = chainHash(
        h24,
        25,
        auditBody({
          at: at25,
          sub: r25.sub as string,
          role: r25.role as string,
          trialId: r25.trial_id as string,
          view: r25.view as string,
          query: r25.query,
        }),
      );
      await put({ ...r25, prev_hash: h24, hash: h25 });
    });
    expect((await verify()).code).toBe(0);
    run = await verify('--head', head);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`chain broken at row id ${r25.id}: its hash is not the head recorded for seq 25`);

    await asOwner(async () => {
      await owner.query('delete from audit_log where seq >= 24');
      await put(r24);
      await put(r25);
    });
    expect((await verify('--head', head)).code).toBe(0);
  });

  it('runs audit_append as its owner, for the app role alone, and reads every row: none below seq 1 goes unseen', async () => {
    const [fn] = (await owner.query(`select prosecdef, proconfig, pg_get_userbyid(proowner) as owner from pg_proc where proname = 'audit_append'`))
      .rows as Array<{ prosecdef: boolean; proconfig: string[]; owner: string }>;
    expect(fn).toEqual({ prosecdef: true, proconfig: ['search_path=public, pg_temp'], owner: roles.owner });
    const [rights] = (
      await owner.query(
        `select has_function_privilege('public', 'audit_append(timestamptz, text, text, text, text, jsonb, text)', 'execute') as public_exec,
      has_function_privilege($1, 'audit_append(timestamptz, text, text, text, text, jsonb, text)', 'execute') as app_exec,
      has_table_privilege($1, 'audit_log', 'insert') as app_insert, has_table_privilege($1, 'schema_migrations', 'select') as app_read_migrations`,
        [roles.app],
      )
    ).rows;
    expect(rights).toEqual({ public_exec: false, app_exec: true, app_insert: false, app_read_migrations: true });

    const verify = () => runCli([register], ['audit', 'verify'], { DATABASE_URL: env.DATABASE_URL });
    expect((await verify()).code).toBe(0);
    const forge = (seq: number) =>
      owner.query(
        `insert into audit_log (sub, role, trial_id, view, query, seq, prev_hash, hash) values ('dsmb-0', 'dsmb', 'T1', 'trial', '{"forged": true}', $1, 'junk', 'junk') returning id`,
        [seq],
      );
    // The table refuses a seq below 1, even from its owner...
    await expect(forge(0)).rejects.toThrow(/audit_log_seq_positive/);
    // ...and an owner who drops that check is caught by verify.
    await owner.query('alter table audit_log drop constraint audit_log_seq_positive');
    try {
      await forge(0);
      await forge(-5);
      const run = await verify();
      expect(run.code).toBe(1);
      expect(run.err).toContain('the table holds 27 rows up to seq 25 but the chain walked 25');
      expect(await verifyAuditChain(app)).toMatchObject({ ok: false, rows: 25 });
      await owner.query('alter table audit_log disable trigger audit_log_append_only');
      try {
        await owner.query('delete from audit_log where seq < 1');
      } finally {
        await owner.query('alter table audit_log enable trigger audit_log_append_only');
      }
    } finally {
      await owner.query('alter table audit_log add constraint audit_log_seq_positive check (seq >= 1)');
    }
    expect((await verify()).code).toBe(0);
  });

  it('lists the audit log in chain order: the hashes cover seq, not the id', async () => {
    const bySeq = async (seq: number) =>
      ((await owner.query('select * from audit_log where seq = $1', [seq])).rows as Array<Record<string, unknown>>)[0];
    const [r24, r25] = [await bySeq(24), await bySeq(25)];
    const put = (r: Record<string, unknown>, id: unknown) =>
      owner.query(
        `insert into audit_log (id, at, sub, role, trial_id, view, query, seq, prev_hash, hash) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [id, r.at, r.sub, r.role, r.trial_id, r.view, JSON.stringify(r.query), r.seq, r.prev_hash, r.hash],
      );
    // The owner swaps the ids of the last two rows: the chain still verifies.
    await owner.query('alter table audit_log disable trigger audit_log_append_only');
    try {
      await owner.query('delete from audit_log where seq >= 24');
      await put(r24, r25.id);
      await put(r25, r24.id);
    } finally {
      await owner.query('alter table audit_log enable trigger audit_log_append_only');
    }
    expect(await verifyAuditChain(app)).toMatchObject({ ok: true, rows: 25 });
    const [newest, before] = await listAudit(app, { limit: 2 });
    expect([newest.id, before.id]).toEqual([Number(r24.id), Number(r25.id)]);
    expect([newest.query, before.query]).toEqual([r25.query, r24.query]);
  });

  it('detects a row altered, removed or slipped in by the owner with the triggers disabled', async () => {
    const row = async (seq: number) =>
      ((await owner.query('select * from audit_log where seq = $1', [seq])).rows as Array<Record<string, unknown>>)[0];
    const verify = () => runCli([register], ['audit', 'verify'], { DATABASE_URL: env.DATABASE_URL });
    const tamper = async (sql: string, params: unknown[] = []) => {
      await owner.query('alter table audit_log disable trigger audit_log_append_only');
      try {
        await owner.query(sql, params);
      } finally {
        await owner.query('alter table audit_log enable trigger audit_log_append_only');
      }
    };
    const victim = await row(10);
    const next = await row(11);

    // The stored query keeps only its allow-listed fields (asOf here), so the forgery must differ
    // from what this row holds: a fixed value matched it whenever seq 10 was a writer with asOf 01.
    const altered = JSON.stringify({ ...(victim.query as Record<string, unknown>), asOf: '1999-12-31' });
    expect(altered).not.toBe(JSON.stringify(victim.query));
    await tamper(`update audit_log set query = $2 where id = $1`, [victim.id, altered]);
    let run = await verify();
    expect(run.code).toBe(1);
    expect(run.err).toContain(`chain broken at row id ${victim.id}: its content does not match its hash (altered)`);
    await tamper(`update audit_log set query = $2 where id = $1`, [victim.id, JSON.stringify(victim.query)]);
    expect((await verify()).code).toBe(0);

    await tamper('delete from audit_log where id = $1', [victim.id]);
    run = await verify();
    expect(run.code).toBe(1);
    expect(run.err).toContain(`chain broken at row id ${next.id}: seq 11 follows 9`);
    // Put back as it was, the chain verifies again: the hashes are of the content, not of the storage.
    await tamper(
      `insert into audit_log (id, at, sub, role, trial_id, view, query, seq, prev_hash, hash) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        victim.id,
        victim.at,
        victim.sub,
        victim.role,
        victim.trial_id,
        victim.view,
        JSON.stringify(victim.query),
        victim.seq,
        victim.prev_hash,
        victim.hash,
      ],
    );
    expect((await verify()).code).toBe(0);

    // A row slipped in at the end, linked to the head but with a hash that does not follow.
    const head = await row(25);
    const forged = (
      await owner.query(
        `insert into audit_log (sub, role, trial_id, view, query, seq, prev_hash, hash) values ('dsmb-0', 'dsmb', 'T1', 'trial', '{}', 26, $1, $2) returning id`,
        [head.hash, 'f'.repeat(64)],
      )
    ).rows[0] as { id: string };
    run = await verify();
    expect(run.code).toBe(1);
    expect(run.err).toContain(`chain broken at row id ${forged.id}`);
    // Or written in the middle, its seq taken from the row it displaces.
    await tamper('delete from audit_log where id = $1', [forged.id]);
    await tamper('update audit_log set seq = seq + 1000 where seq >= 20');
    const middle = (
      await owner.query(
        `insert into audit_log (sub, role, trial_id, view, query, seq, prev_hash, hash) values ('dsmb-0', 'dsmb', 'T1', 'trial', '{}', 20, $1, $2) returning id`,
        [(await row(19)).hash, 'e'.repeat(64)],
      )
    ).rows[0] as { id: string };
    run = await verify();
    expect(run.code).toBe(1);
    expect(run.err).toContain(`chain broken at row id ${middle.id}`);
  });

  it('chains the rows written before the chain existed, when that migration runs', async () => {
    const older = privateDatabase(`${label}_old`);
    await older.create();
    const before = migrations.findIndex((m) => m.name.startsWith('AuditChain'));
    // The schema as it was just before the chain: every earlier migration.
    const options: DataSourceOptions = {
      ...createDataSource(older.url).options,
      migrations: migrations.slice(0, before) as Array<new () => MigrationInterface>,
    };
    const ds = await new DataSource(options).initialize();
    try {
      await ds.runMigrations({ transaction: 'each' });
      for (let i = 0; i < 3; i++)
        await ds.query(`insert into audit_log (sub, role, trial_id, view, query) values ('dsmb', 'dsmb', 'T', 'survival', $1)`, [
          JSON.stringify({ i }),
        ]);
      await ds.destroy();
      const now = await openMigrated(older.url, undefined, { poolSize: 2 });
      try {
        await recordAudit(now, { sub: 'dsmb', role: 'dsmb', trialId: 'T', view: 'trial', query: {} });
        expect(await verifyAuditChain(now)).toMatchObject({ ok: true, rows: 4 });
      } finally {
        await now.destroy();
      }
    } finally {
      if (ds.isInitialized) await ds.destroy();
      await older.drop();
    }
  });
});
