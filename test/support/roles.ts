import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { privateDatabase, TEST_DATABASE_URL } from './env';

const ROOT = join(__dirname, '..', '..');

/**
 * A private database set up by `scripts/infra.sh pg-up` as a deployment's is: an owner role
 * for migrations and an application role for the services, named for this suite (roles are
 * global to the server). `urls` are what infra.sh wrote to its pg.env; `drop` removes the
 * database and both roles.
 */
export function privateDatabaseWithRoles(label: string) {
  const db = privateDatabase(label);
  const base = db.name.replace(/^trial_followup_test_/, '').slice(0, 40);
  const roles = { owner: `tf_${base}_owner`, app: `tf_${base}_app` };
  const infraDir = mkdtempSync(join(tmpdir(), 'followup-roles-'));
  const admin = async (sql: string) => {
    const c = new Client({ connectionString: TEST_DATABASE_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const pgUp = (): { DATABASE_URL: string; MIGRATION_DATABASE_URL: string } => {
    execFileSync('bash', [join(ROOT, 'scripts', 'infra.sh'), 'pg-up'], {
      env: { ...process.env, INFRA_DIR: infraDir, DATABASE_URL: db.url, TEST_DATABASE_URL, PG_OWNER_ROLE: roles.owner, PG_APP_ROLE: roles.app },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const env = Object.fromEntries(
      readFileSync(join(infraDir, 'pg.env'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => {
          const i = l.indexOf('=');
          return [l.slice(0, i), l.slice(i + 1)];
        }),
    );
    return { DATABASE_URL: env.DATABASE_URL, MIGRATION_DATABASE_URL: env.MIGRATION_DATABASE_URL };
  };
  return {
    name: db.name,
    roles,
    /** Creates the database and runs infra.sh on it; returns the URLs of its pg.env. */
    create: async () => {
      await db.create();
      return pgUp();
    },
    /** Runs infra.sh again (it must be idempotent). */
    pgUp,
    drop: async () => {
      await db.drop();
      await admin(`drop role if exists ${roles.app}`);
      await admin(`drop role if exists ${roles.owner}`);
      rmSync(infraDir, { recursive: true, force: true });
    },
  };
}
