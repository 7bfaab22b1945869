import { join } from 'node:path';
import { projectRoot } from '@trial/config';
import { formatLive, runLive } from '../../bench/linkage/live';
import { KAFKA_BROKERS, TEST_DATABASE_URL } from '../support';

/**
 * The short form of the live linkage benchmark (bench/linkage/live.ts, run by `npm run
 * bench:linkage` at 10,000 patients and 1,000,000 rows): 2,000 patients and 20,000 registry
 * rows through `followup ingest` and the compiled linkage service, on a database and topics
 * of its own. It checks that the run completes and that the service applied every
 * notification the ingest published and committed every outcome event; the speed it prints
 * is not asserted (a shared machine's load decides it). Runs the compiled service and CLI
 * (dist/), which `npm test` builds first.
 */
const database = `${TEST_DATABASE_URL.replace(/^.*\/([^/?]+)(\?.*)?$/, '$1')}_linklive`;

describe('live linkage benchmark (short form)', () => {
  it('applies every published notification and commits every outcome event', async () => {
    const result = await runLive({
      patients: 2000,
      rows: 20_000,
      seed: 42,
      instances: 1,
      partitions: 6,
      serviceDir: projectRoot(),
      brokers: KAFKA_BROKERS,
      adminUrl: TEST_DATABASE_URL,
      database,
      logDir: join(projectRoot(), 'test-output', 'linkage-live-logs'),
      timeoutS: 600,
      log: (line) => process.stdout.write(`${line}\n`),
    });
    process.stdout.write(`${formatLive(result)}\n`);
    expect(result.rows).toBe(20_000);
    expect(result.published + result.rejected).toBe(result.rows);
    expect(result.complete).toBe(true);
    expect(result.applied).toBe(result.published);
    expect(result.outboxEmpty).toBe(true);
    // Every outcome event names a notification that is on the topic.
    expect(result.outcomes).toBeGreaterThan(0);
    expect(result.paired).toBe(result.outcomes);
    expect(result.bare.messages).toBe(result.published);
  }, 900_000);
});
