import { execFile } from 'node:child_process';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { register as migrateCommand } from '../../apps/cli/src/commands/migrate';
import { privateDatabaseWithRoles } from '../support';
import { runCli } from '../support/cli';

/**
 * What the containers run, without Docker (no engine where this was written): the one-shot
 * `followup migrate` of docker-compose.yml as the owner, leaving the app role its rows and no
 * DDL; and the image's entry point and HEALTHCHECK scripts (bin/service.js, bin/healthcheck.js).
 */
const ROOT = join(__dirname, '..', '..');
const node = (script: string, args: string[], env: Record<string, string>) =>
  new Promise<number>((resolve) => {
    execFile(process.execPath, [join(ROOT, 'bin', script), ...args], { env: { PATH: process.env.PATH ?? '', ...env } }, (e) => {
      resolve(e ? Number((e as { code?: number }).code ?? 1) : 0);
    });
  });

describe("the containers' entry points", () => {
  const db = privateDatabaseWithRoles('migrate');
  let urls: { DATABASE_URL: string; MIGRATION_DATABASE_URL: string };

  beforeAll(async () => {
    urls = await db.create();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('followup migrate runs the migrations as the owner, once, and the app role gets rows but no DDL', async () => {
    const first = await runCli([migrateCommand], ['migrate'], { NODE_ENV: 'test', ...urls });
    expect([first.code, first.err]).toEqual([0, '']);
    const n = (JSON.parse(first.out) as { migrations: number }).migrations;
    expect(n).toBeGreaterThan(10);
    // Again: nothing pending, the same count.
    expect(JSON.parse((await runCli([migrateCommand], ['migrate'], { NODE_ENV: 'test', ...urls })).out)).toEqual({ migrated: true, migrations: n });
    const app = new Client({ connectionString: urls.DATABASE_URL });
    await app.connect();
    try {
      expect((await app.query('select count(*)::int as n from dlq_closed')).rows).toEqual([{ n: 0 }]);
      const owner = (await app.query(`select tableowner from pg_tables where tablename = 'dlq_closed'`)).rows as Array<{ tableowner: string }>;
      expect(owner).toEqual([{ tableowner: db.roles.owner }]);
      await expect(app.query('create table intruder (x int)')).rejects.toThrow(/permission denied/);
    } finally {
      await app.end();
    }
  });

  it("bin/healthcheck.js passes on a 200 from /health of SERVICE's port only; bin/service.js refuses an unknown service", async () => {
    let status = 200;
    const asked: string[] = [];
    const server: Server = createServer((req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(status).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = String((server.address() as AddressInfo).port);
    try {
      expect(await node('healthcheck.js', [], { SERVICE: 'projector', PROJECTOR_PORT: port })).toBe(0);
      status = 503;
      expect(await node('healthcheck.js', [], { SERVICE: 'projector', PROJECTOR_PORT: port })).toBe(1);
      expect(asked).toEqual(['/health', '/health']);
      // Another service's port variable is not the one asked.
      status = 200;
      expect(await node('healthcheck.js', [], { SERVICE: 'api', PROJECTOR_PORT: port, API_PORT: '1' })).toBe(1);
      expect(await node('healthcheck.js', [], { SERVICE: 'cli' })).toBe(1);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(await node('service.js', ['nope'], {})).toBe(2);
  });
});
