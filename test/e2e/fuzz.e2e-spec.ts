import { join } from 'node:path';
import { projectRoot } from '@trial/config';
import { BadCategory } from '../../bench/fuzz/plan';
import { formatResult, runFuzz } from '../../bench/fuzz/run';
import { KAFKA_BROKERS, TEST_DATABASE_URL } from '../support';

/**
 * The short form of `npm run fuzz`: 1,000 bad messages across the four input topics, mixed
 * with the valid messages of a small trial and its twin, through the compiled services as
 * processes. Same assertions as the full form (bench/fuzz/check.ts): every service healthy and
 * consuming, every bad message dead-lettered or parked with a reason, every valid one applied,
 * and the fuzzed trial's read-out what the valid messages alone give. Then the HTTP phase
 * (bench/fuzz/http.ts): hostile requests to every route (a 4xx, never a 500), the bad files
 * uploaded and given to `followup ingest` (each bad row one reject at its line, no valid row
 * lost), no by-arm figure in a monitor's answer, no credential or identifier in any log line or
 * dead-letter reason, and the audit chain verified where the build has `followup audit verify`.
 */
const database = `${TEST_DATABASE_URL.replace(/^.*\/([^/?]+)(\?.*)?$/, '$1')}_fuzz`;

describe('fuzz (short form): malformed messages on every input topic', () => {
  it('dead-letters or parks every bad message and leaves the read-out as the valid ones make it', async () => {
    const result = await runFuzz({
      seed: 20261201,
      bad: 1000,
      patients: 16,
      partitions: 3,
      // Diagnosis only (e.g. FUZZ_SKIP=nul-in-text while that category halts a consumer): empty in npm test.
      skip: (process.env.FUZZ_SKIP ?? '').split(',').filter(Boolean) as BadCategory[],
      adminUrl: TEST_DATABASE_URL,
      database,
      brokers: KAFKA_BROKERS,
      logDir: join(projectRoot(), 'test-output', 'fuzz-logs'),
      settleMs: 45_000,
      // The HTTP phase too, its extract's huge field at 16 MiB (the full form: 200 MiB).
      http: { hugeLineBytes: 16 * 2 ** 20 },
      log: (line) => process.stdout.write(`${line}\n`),
    });
    process.stdout.write(`${formatResult(result)}\n`);
    expect(result.report.failures).toEqual([]);
  }, 290_000);
});
