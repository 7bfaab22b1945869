// Private infrastructure for suites that break things: a Postgres cluster and one or three Kafka
// brokers of their own, on free ports, in a directory of their own, started through
// scripts/infra.sh (INFRA_DIR, PG_MODE=private, KAFKA_BROKERS=1|3). The shared broker on 9092
// and the Postgres service on 5432 are never touched. Reusable: a fuzz suite can start one too.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { projectRoot } from '@trial/config';
import { freePort } from '../../apps/cli/src/supervisor';

const run = promisify(execFile);
const ROOT = projectRoot();

export interface KafkaNode {
  /** 1-based, as infra.sh numbers them. */
  id: number;
  dir: string;
  port: number;
}

export interface PrivateInfraOptions {
  /** Everything lives here (emptied first). */
  dir: string;
  brokers: 1 | 3;
  /** Heap of each broker. */
  kafkaHeap?: string;
  log?: (line: string) => void;
}

export interface PrivateInfra {
  dir: string;
  /** host:port list for KAFKA_BROKERS. */
  brokers: string;
  nodes: KafkaNode[];
  pgPort: number;
  pgData: string;
  /** The private server's `postgres` database (for admin statements). */
  adminUrl: string;
  urlOf: (database: string) => string;
  /** kill -9 of one broker; resolves with its pid once the process is gone. */
  killBroker: (id: number) => Promise<number>;
  /** Starts whichever brokers are not running and waits until the whole cluster answers. */
  startBrokers: () => Promise<void>;
  /** Stops Postgres the hard way (immediate: no checkpoint, crash recovery on start) and starts it again. */
  restartPostgres: (downMs?: number) => Promise<void>;
  stop: () => Promise<void>;
}

/** Whether a process runs (a zombie, killed but not yet reaped, does not). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function freePorts(n: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) out.push(await freePort()); // distinct: freePort never repeats one
  return out;
}

export function pgBinDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'pg_ctl'))) : [];
  versions.sort((a, b) => Number(a) - Number(b));
  if (!versions.length) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)');
  return join(base, versions[versions.length - 1], 'bin');
}

/** Runs a Postgres binary as the postgres user when we are root (initdb refuses root). */
export function asPostgres(bin: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const root = process.getuid?.() === 0;
  return root ? run('runuser', ['-u', 'postgres', '--', bin, ...args]) : run(bin, args);
}

export async function startPrivateInfra(o: PrivateInfraOptions): Promise<PrivateInfra> {
  const log = o.log ?? (() => undefined);
  if (existsSync(o.dir)) await stopLeftovers(o.dir);
  rmSync(o.dir, { recursive: true, force: true });
  mkdirSync(o.dir, { recursive: true, mode: 0o755 });
  if (process.getuid?.() === 0) reachableByPostgres(o.dir);
  const [pgPort, ...kafkaPorts] = await freePorts(1 + 2 * o.brokers);
  const clientPorts = kafkaPorts.slice(0, o.brokers);
  const controllerPorts = kafkaPorts.slice(o.brokers);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    INFRA_DIR: o.dir,
    PG_MODE: 'private',
    PG_PRIVATE_PORT: String(pgPort),
    KAFKA_BROKERS: String(o.brokers),
    KAFKA_PORTS: clientPorts.join(','),
    KAFKA_CONTROLLER_PORTS: controllerPorts.join(','),
    KAFKA_PORT: String(clientPorts[0]),
    KAFKA_CONTROLLER_PORT: String(controllerPorts[0]),
    KAFKA_HEAP: o.kafkaHeap ?? '384m',
  };
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  delete env.MIGRATION_DATABASE_URL;
  const infraSh = async (...args: string[]) => {
    try {
      await run('bash', [join(ROOT, 'scripts/infra.sh'), ...args], { env, maxBuffer: 16 * 1024 * 1024 });
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`infra.sh ${args.join(' ')} failed: ${err.stderr?.trim().split('\n').slice(-8).join('\n') ?? err.message}`);
    }
  };
  log(`private infrastructure in ${o.dir}: postgres on ${pgPort}, ${o.brokers} broker(s) on ${clientPorts.join(', ')}`);
  await infraSh('up');
  const kafkaEnv = Object.fromEntries(
    readFileSync(join(o.dir, 'kafka.env'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split('=', 2)),
  );
  const nodes: KafkaNode[] = clientPorts.map((port, i) => ({
    id: i + 1,
    port,
    dir: o.brokers === 1 ? join(o.dir, 'kafka') : join(o.dir, `kafka-${i + 1}`),
  }));
  const pgData = join(o.dir, 'postgres');
  const base = `postgres://postgres@127.0.0.1:${pgPort}`;
  const bin = pgBinDir();
  const pgCtl = (...args: string[]) => asPostgres(join(bin, 'pg_ctl'), ['-D', pgData, ...args]);
  const pgStart = () => pgCtl('-o', `-p ${pgPort} -k /tmp -c listen_addresses=127.0.0.1`, '-l', join(pgData, 'log'), '-w', 'start');

  return {
    dir: o.dir,
    brokers: kafkaEnv.KAFKA_BROKERS,
    nodes,
    pgPort,
    pgData,
    adminUrl: `${base}/postgres`,
    urlOf: (db) => `${base}/${db}`,
    killBroker: async (id) => {
      const node = nodes.find((n) => n.id === id);
      if (!node) throw new Error(`no broker ${id}`);
      const pid = Number(readFileSync(join(node.dir, 'kafka.pid'), 'utf8'));
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
      return pid;
    },
    startBrokers: () => infraSh('kafka-up'),
    restartPostgres: async (downMs = 0) => {
      await pgCtl('-m', 'immediate', 'stop');
      if (downMs) await new Promise((r) => setTimeout(r, downMs));
      await pgStart();
    },
    stop: async () => {
      await infraSh('down').catch((e: Error) => log(`stopping infrastructure: ${e.message}`));
    },
  };
}

/** Postgres runs as the postgres user: every directory above its data must let it through. */
function reachableByPostgres(dir: string): void {
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0)
      throw new Error(`${d} is not searchable by other users, so the postgres user cannot reach ${dir}; choose another --dir`);
  }
}

/** What an earlier run (killed, or kept with --keep) left running in `dir`: its brokers, Postgres, tmpfs. */
async function stopLeftovers(dir: string): Promise<void> {
  for (const sub of readdirSync(dir)) {
    const infraDir = join(dir, sub);
    if (!existsSync(join(infraDir, 'kafka.env')) && !existsSync(join(infraDir, 'postgres'))) continue;
    await run('bash', [join(ROOT, 'scripts/infra.sh'), 'down'], { env: { ...process.env, INFRA_DIR: infraDir, PG_MODE: 'private' } }).catch(
      () => undefined,
    );
  }
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1])
    .filter((m) => m && m.startsWith(`${dir}/`));
  for (const m of mounts) {
    try {
      execFileSync('umount', ['-l', m]);
    } catch {
      /* not ours to force */
    }
  }
}

/**
 * A small tmpfs, a Postgres tablespace on it and a database whose every table lives there, so a
 * suite can fill "the database's disk" without touching the real one. WAL stays on the cluster's
 * own disk: a full tablespace fails writes with 53100, it does not crash the server.
 */
export interface SmallDisk {
  mount: string;
  tablespace: string;
  sizeMb: number;
  unmount: () => void;
}

export async function smallDisk(infra: PrivateInfra, sizeMb: number, name = 'chaos_disk'): Promise<SmallDisk> {
  const mount = join(infra.dir, 'tmpfs');
  mkdirSync(mount, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0755`, 'tmpfs', mount]);
  const location = join(mount, 'pg');
  mkdirSync(location);
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres', location]);
  await sql(infra.adminUrl, `create tablespace ${name} location '${location}'`);
  return {
    mount,
    tablespace: name,
    sizeMb,
    unmount: () => {
      try {
        execFileSync('umount', ['-l', mount]);
      } catch {
        /* already gone */
      }
    },
  };
}

export async function createDatabase(infra: PrivateInfra, name: string, tablespace?: string): Promise<string> {
  await sql(infra.adminUrl, `create database "${name}"${tablespace ? ` tablespace ${tablespace}` : ''}`);
  return infra.urlOf(name);
}

export async function sql<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 5000, application_name: 'chaos-driver' });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end().catch(() => undefined);
  }
}
