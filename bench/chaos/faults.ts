// Faults a suite can inject: kill -9 of a service inside an open Postgres transaction, a full
// disk under the database, a slow relay (SIGSTOP). Each returns what it did, for the report.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { Fleet, ServiceKind } from './services';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The pid of the local process that owns the TCP connection from `localPort` to `serverPort`. */
function pidOfClientPort(localPort: number, serverPort: number): number | null {
  const out = execFileSync('ss', ['-tnpH', 'state', 'established', `( sport = :${localPort} and dport = :${serverPort} )`], { encoding: 'utf8' });
  const m = /pid=(\d+)/.exec(out);
  return m ? Number(m[1]) : null;
}

export interface TransactionKill {
  instance: string;
  state: string;
  /** How long the transaction had been open when it was killed. */
  openMs: number;
  query: string;
}

/**
 * Waits for a connection of a `kind` instance to be inside a transaction (state active or idle
 * in transaction with xact_start set, application_name = the service), then kill -9s the
 * instance that owns it. null if no transaction was seen within `timeoutMs`.
 */
export async function killInsideTransaction(
  fleet: Fleet,
  dbUrl: string,
  pgPort: number,
  kind: ServiceKind,
  timeoutMs = 30_000,
): Promise<TransactionKill | null> {
  const c = new Client({ connectionString: dbUrl, application_name: 'chaos-watch' });
  await c.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const rows = (
        await c.query(
          `select client_port, state, extract(epoch from now() - xact_start) * 1000 as open_ms, left(query, 80) as query
           from pg_stat_activity
          where application_name = $1 and xact_start is not null and state in ('active', 'idle in transaction')
            and query not ilike 'select 1%'`,
          [kind],
        )
      ).rows as Array<{ client_port: number; state: string; open_ms: number; query: string }>;
      for (const r of rows) {
        const pid = pidOfClientPort(r.client_port, pgPort);
        const inst = [...fleet.instances.values()].find((i) => i.kind === kind && i.child.pid === pid && fleet.running(i.name));
        if (!inst) continue;
        await fleet.kill(inst.name);
        return { instance: inst.name, state: r.state, openMs: Math.round(Number(r.open_ms)), query: r.query.replace(/\s+/g, ' ') };
      }
      await sleep(5);
    }
    return null;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Fills a file system with one file until it refuses (ENOSPC); returns the file. */
export function fillDisk(mount: string): { file: string; bytes: number } {
  const file = join(mount, 'fill');
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(1024 * 1024, 1);
  let bytes = 0;
  try {
    for (;;) {
      try {
        bytes += writeSync(fd, chunk);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOSPC') break;
        throw e;
      }
    }
    // The last partial megabyte: byte by byte in 4 KiB pages, so nothing at all is left.
    const page = Buffer.alloc(4096, 1);
    for (;;) {
      try {
        bytes += writeSync(fd, page);
      } catch {
        break;
      }
    }
  } finally {
    closeSync(fd);
  }
  return { file, bytes };
}

export function freeDisk(file: string): void {
  if (existsSync(file)) unlinkSync(file);
}

/** How many times the server's log says a write failed for want of space (SQLSTATE 53100). */
export function diskFullErrors(pgData: string): number {
  const log = join(pgData, 'log');
  if (!existsSync(log)) return 0;
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => /No space left on device/.test(l) && /ERROR/.test(l)).length;
}

/**
 * Whether the database refuses a write that needs new space now, with 53100: proof that the
 * disk is full for the services too (a probe table in the same tablespace).
 */
export async function probeDiskFull(dbUrl: string): Promise<string | null> {
  const c = new Client({ connectionString: dbUrl, application_name: 'chaos-probe' });
  await c.connect();
  try {
    await c.query('create table if not exists chaos_probe (x text)');
    await c.query(`insert into chaos_probe select md5(i::text) from generate_series(1, 20000) i`);
    await c.query('truncate chaos_probe');
    return null;
  } catch (e) {
    return (e as { code?: string }).code ?? 'unknown';
  } finally {
    await c.end().catch(() => undefined);
  }
}
