import { DataSource, MigrationInterface } from 'typeorm';
import { migrations } from './migrations';

/**
 * The TypeORM data source for one database. Schema comes only from migrations (never
 * `synchronize`), so every change is reviewed and replayable.
 */
export function createDataSource(url: string, extra: { applicationName?: string; poolSize?: number } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations: migrations as Array<new () => MigrationInterface>,
    migrationsTableName: 'schema_migrations',
    poolSize: extra.poolSize ?? 10,
    applicationName: extra.applicationName,
    logging: false,
  });
}

/**
 * Runs pending migrations under a PostgreSQL advisory lock, so services starting at the same
 * moment do not race each other.
 */
export async function migrate(ds: DataSource): Promise<void> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('select pg_advisory_lock(7261301)');
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('select pg_advisory_unlock(7261301)').catch(() => undefined);
    await runner.release();
  }
}
