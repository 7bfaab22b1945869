import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatFigures, runChaos } from '../../bench/chaos/chaos';

/**
 * The chaos suite's short form (bench/chaos; the full form is `npm run chaos`, in `npm run
 * bench`): on a private Postgres and broker of its own, the first steps of the demo trial are
 * replayed once cleanly and once while a linkage and a projector are kill -9ed inside open
 * transactions, `followup ingest` is killed mid-file and re-run, and the database's disk (a
 * tmpfs tablespace) is full for 12 s. After each fault and at the end the DSMB's survival
 * read-out, interim read-out and ADTTE export must equal the clean run's. Needs root (mount).
 */
describe('chaos (short form)', () => {
  it('keeps the read-outs identical to a clean run through kills and a full disk', async () => {
    const lines: string[] = [];
    const result = await runChaos({
      form: 'short',
      brokers: 1,
      threeBroker: false,
      dir: join(tmpdir(), 'trial-followup-chaos-test'),
      log: (l) => {
        lines.push(l);
        process.stdout.write(`[chaos] ${l}\n`);
      },
    });
    process.stdout.write(`${formatFigures(result)}\n`);
    expect(result.failures).toEqual([]);
    expect(result.figures.length).toBeGreaterThanOrEqual(4);
  }, 360_000);
});
