// `npm run bench:replay`: the fold-and-write part of `followup replay` over 1,000,000 events
// (BENCH_REBUILD_EVENTS), without the broker: the log is the benchmark workload
// (bench/workload.ts) generated in memory and handed to rebuild() as the read. Uses its own
// database (BENCH_DB, default trial_followup_bench_replay, recreated). Prints wall-clock, this
// process's CPU seconds and its two Postgres backends' (from /proc, when the server is local), in
// all and per phase: on a shared machine compare CPU seconds, and runs back to back.
import { loadavg } from 'node:os';
import { Client } from 'pg';
import type { LogEvent } from '@trial/readmodel';
import { inMemory, markingProfiler, rebuild, type LogRead } from '@trial/projection';
import { createDataSource, migrate } from '@trial/storage';
import { cpuSeconds } from './cpu';
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

/** CPU seconds so far of these Postgres backends (from /proc: the server runs on this machine, else 0). */
const backendCpu = (pids: readonly number[]): number => pids.reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0);

const cpuOf = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;

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
    // Both of the pool's connections, opened now, so their backends are known before the rounds.
    const pids = (await Promise.all([0, 1].map(() => ds.query('select pg_backend_pid() as pid, pg_sleep(0.05)')))).map((r) =>
      Number((r as Array<{ pid: number }>)[0].pid),
    );
    for (const round of ['empty read models', 'again, over the first rebuild']) {
      const c0 = process.cpuUsage();
      const pg0 = backendCpu(pids);
      const t0 = performance.now();
      // Each phase: wall seconds, and the CPU seconds of this process and of Postgres since the phase before ended.
      const phases: string[] = [];
      let cLast = c0;
      let pgLast = pg0;
      const profiler = markingProfiler((name, ms) => {
        const c = process.cpuUsage();
        const pg = backendCpu(pids);
        phases.push(`${name} ${(ms / 1000).toFixed(1)} s [cpu ${cpuOf(process.cpuUsage(cLast)).toFixed(1)} + pg ${(pg - pgLast).toFixed(1)}]`);
        cLast = c;
        pgLast = pg;
      });
      const report = await rebuild(ds, inMemory(log), { now: () => new Date().toISOString(), profiler });
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(c0);
      console.log(
        `rebuild (${round}) of ${report.eventsRead} events, ${report.patients} patients, ${report.trials} trials, ${report.refused} refused:` +
          ` ${seconds.toFixed(1)} s wall, ${cpuOf(cpu).toFixed(1)} s CPU in this process, ${(backendCpu(pids) - pg0).toFixed(1)} s in Postgres` +
          ` (load average ${loadavg()
            .map((l) => l.toFixed(2))
            .join(' ')}; ${phases.join(', ')})`,
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
