// `npm run bench:replay`: the fold-and-write part of `followup replay` over 1,000,000 events
// (BENCH_REBUILD_EVENTS), without the broker: the log is the benchmark workload
// (bench/workload.ts) generated in memory and handed to rebuild() as the read. Uses its own
// database (BENCH_DB, default trial_followup_bench_replay, recreated). Prints wall-clock and this
// process's CPU seconds (Postgres not counted): on a shared machine compare runs back to back.
import { Client } from 'pg';
import type { LogEvent } from '@trial/readmodel';
import { rebuild, type LogRead, type Profiler } from '@trial/projection';
import { createDataSource, migrate } from '@trial/storage';
import { Workload } from './workload';

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/trial_followup';
const DB = process.env.BENCH_DB ?? 'trial_followup_bench_replay';
const DB_URL = ADMIN_URL.replace(/\/[^/]+$/, `/${DB}`);
const EVENTS = Number(process.env.BENCH_REBUILD_EVENTS ?? 1_000_000);

/** The log as bench:pipeline publishes it: registrations, an ONS extract, then the stream. */
function logOf(n: number): LogRead {
  const load = new Workload('replay');
  const events: LogEvent[] = [...load.registrations()];
  events.push({
    v: 1,
    type: 'RegistryExtractCompleted',
    eventId: 'replay-ons',
    occurredAt: '2012-01-01T00:00:00Z',
    source: 'ONS',
    completeUpTo: '2011-12-31',
  });
  while (events.length < n) events.push(load.next().value as LogEvent);
  return { events, watermarks: [], invalid: 0 };
}

async function main(): Promise<void> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${DB} with (force)`);
  await admin.query(`create database ${DB}`);
  await admin.end();
  const ds = await createDataSource(DB_URL, { poolSize: 2 }).initialize();
  try {
    await migrate(ds);
    const log = logOf(EVENTS);
    for (const round of ['empty read models', 'again, over the first rebuild']) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const phases: string[] = [];
      const profiler: Profiler = {
        mark: (name, ms) => {
          phases.push(`${name} ${(ms / 1000).toFixed(1)} s`);
        },
        time: async (name, f) => {
          const t = performance.now();
          try {
            return await f();
          } finally {
            profiler.mark(name, performance.now() - t);
          }
        },
      };
      const report = await rebuild(ds, async () => log, { now: () => new Date().toISOString(), profiler });
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(c0);
      console.log(
        `rebuild (${round}) of ${report.eventsRead} events, ${report.patients} patients, ${report.trials} trials, ${report.refused} refused:` +
          ` ${seconds.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU in this process` +
          ` (${phases.join(', ')})`,
      );
    }
  } finally {
    await ds.destroy();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:replay: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
