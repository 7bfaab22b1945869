// `followup migrate`: the pending migrations, once, as MIGRATION_DATABASE_URL's role (the owner)
// when given, which then grants DATABASE_URL's role its rights; else as DATABASE_URL's role.
// The same step every service takes at start (openMigrated), alone: docker-compose.yml runs it as
// a one-shot service before the four, so they need only the app role's URL.
import { Command } from 'commander';
import { loadConfig } from '@trial/config';
import { openMigrated } from '@trial/storage';

export function register(program: Command): void {
  program
    .command('migrate')
    .description('run the pending database migrations (as MIGRATION_DATABASE_URL when set) and grant the app role')
    .action(async () => {
      const config = loadConfig();
      const ds = await openMigrated(config.DATABASE_URL, config.MIGRATION_DATABASE_URL, { applicationName: 'followup-migrate', poolSize: 2 });
      const [row] = (await ds.query('select count(*)::int as n from schema_migrations')) as Array<{ n: number }>;
      await ds.destroy();
      process.stdout.write(`${JSON.stringify({ migrated: true, migrations: row.n })}\n`);
    });
}
