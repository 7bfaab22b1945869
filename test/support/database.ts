import type { DataSource } from 'typeorm';
import { createDataSource, migrate } from '@trial/storage';
import { TEST_DATABASE_URL } from './env';

/**
 * A migrated DataSource on the test database for the suite: opened (and migrated) before its
 * tests, handed to `use`, closed after them. Call it in a describe block.
 */
export function suiteDataSource(poolSize: number, use: (ds: DataSource) => void): void {
  let ds: DataSource | undefined;
  beforeAll(async () => {
    ds = await createDataSource(TEST_DATABASE_URL, { poolSize }).initialize();
    await migrate(ds);
    use(ds);
  });
  afterAll(async () => ds?.destroy());
}
