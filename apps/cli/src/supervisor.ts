import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { INSTANCE_HEADER, projectRoot } from '@trial/config';
import { CodedError } from '@trial/contracts';

export { projectRoot };

export const SERVICES = ['linkage', 'projector', 'api', 'ingest'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface RunningServices {
  ports: Record<ServiceName, number>;
  logDir: string;
  /** Each service's process (the fuzz checks they all still run at its end). */
  children: ReadonlyMap<ServiceName, ChildProcess>;
  stop: () => Promise<void>;
}

const ROOT = projectRoot();

/**
 * Starts the four compiled services as child processes with the given environment, waits
 * until each answers `GET /health` with status ok, and stops them cleanly (SIGTERM, then
 * SIGKILL after 10 s). Each service's JSON log goes to `<logDir>/<service>.log`.
 */
export async function startServices(
  env: Record<string, string>,
  ports: Record<ServiceName, number>,
  logDir: string,
  timeoutMs = 60_000,
): Promise<RunningServices> {
  mkdirSync(logDir, { recursive: true });
  const children = new Map<ServiceName, ChildProcess>();
  const portVar: Record<ServiceName, string> = { api: 'API_PORT', ingest: 'INGEST_PORT', linkage: 'LINKAGE_PORT', projector: 'PROJECTOR_PORT' };
  const allPorts = Object.fromEntries(SERVICES.map((s) => [portVar[s], String(ports[s])]));
  const supervised: Supervised[] = [];
  for (const s of SERVICES) {
    const started = spawnService(s, join(ROOT, 'dist/apps', s, 'src/main.js'), ports[s], { ...env, ...allPorts }, join(logDir, `${s}.log`));
    children.set(s, started.child);
    supervised.push(started);
  }
  const stop = () => stopChildren(children.values());
  try {
    await Promise.all(supervised.map((s) => waitHealthy(s, timeoutMs)));
  } catch (e) {
    await stop();
    throw e;
  }
  return { ports, logDir, children, stop };
}

/** Every port freePort has handed out in this process. */
const handedOut = new Set<number>();

/**
 * A port nobody listens on now (the OS picks it), and one this process has not handed out
 * before. A port is free only until somebody binds it, and the services bind theirs a second
 * or so after they start: the OS gave the port just handed to the api again to the ingest
 * service started after it, which bound it first (chaos, 2026-12-03).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const addr = srv.address();
        const p = typeof addr === 'object' && addr ? addr.port : 0;
        srv.close(() => resolve(p));
      });
    });
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

/** A service process a supervisor started on a port it chose. */
export interface Supervised {
  /** For messages, e.g. `api` or `linkage#2`. */
  name: string;
  port: number;
  child: ChildProcess;
  /** The INSTANCE_ID it was started with; null for a build that does not send INSTANCE_HEADER (nothing is checked). */
  instance: string | null;
  logFile: string;
}

export interface SpawnOptions {
  /** Node flags before the script. */
  nodeFlags?: readonly string[];
  /** 'w' starts the log afresh; by default it is appended to (a restarted instance keeps one log). */
  logFlags?: 'a' | 'w';
  /** False for a build from before INSTANCE_ID: it is not given one, and waitHealthy checks nothing. */
  named?: boolean;
}

/**
 * Starts the service `script` (a compiled main.js) as a child of this process, with `env` over
 * this process's (its port variable among them) and a fresh INSTANCE_ID, its stdout and stderr
 * going to `logFile`. Does not wait for it: waitHealthy does.
 */
export function spawnService(
  name: string,
  script: string,
  port: number,
  env: Record<string, string>,
  logFile: string,
  o: SpawnOptions = {},
): Supervised {
  const instance = o.named === false ? null : instanceId(name);
  const log = createWriteStream(logFile, { flags: o.logFlags ?? 'a' });
  const child = spawn(process.execPath, [...(o.nodeFlags ?? []), script], {
    env: { ...process.env, ...env, ...(instance === null ? {} : { INSTANCE_ID: instance }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return { name, port, child, instance, logFile };
}

/** A fresh INSTANCE_ID for a process about to start as `name`. */
export function instanceId(name: string): string {
  return `${name.replace(/[^0-9A-Za-z._:#-]/g, '-').slice(0, 40)}-${randomBytes(6).toString('hex')}`;
}

/** Another process answered on a supervised service's port, and the service exited: it could not listen there. */
export class PortTaken extends CodedError<'port-taken'> {
  constructor(message: string) {
    super('port-taken', message);
  }
}

/**
 * Waits until the process itself answers `GET /health` with 200: the answer must carry its
 * INSTANCE_ID. A port chosen free can be taken before the service binds it; the service then
 * fails to listen and exits, while another process answers /health on that port. Taking that
 * answer for the service's once sent a test's reads to another service (a 404 for every
 * read-out). Throws PortTaken in that case, and an error when the process exits or the time is up.
 */
export async function waitHealthy(s: Supervised, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let other = false;
  for (;;) {
    const { exitCode, signalCode } = s.child;
    if (exitCode !== null || signalCode !== null) {
      const how = signalCode ?? `code ${exitCode}`;
      if (other) throw new PortTaken(`${s.name}: another process answers on port ${s.port}, and ${s.name} exited (${how}); see ${s.logFile}`);
      throw new Error(`${s.name} exited with ${how}; see ${s.logFile}`);
    }
    const res = await fetch(`http://127.0.0.1:${s.port}/health`, { signal: AbortSignal.timeout(3000) }).catch(() => null);
    if (res !== null) {
      await res.arrayBuffer().catch(() => undefined);
      if (s.instance !== null && res.headers.get(INSTANCE_HEADER) !== s.instance) other = true;
      else if (res.ok) return;
    }
    if (Date.now() > deadline) {
      const why = other ? ' (another process answers on that port)' : '';
      throw new Error(`${s.name} did not become healthy on port ${s.port} within ${timeoutMs / 1000} s${why}; see ${s.logFile}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Stops child processes cleanly: SIGTERM (a service leaves its consumer group), SIGKILL after 10 s. */
export async function stopChildren(children: Iterable<ChildProcess>): Promise<void> {
  await Promise.all(
    [...children].map(
      (c) =>
        new Promise<void>((done) => {
          if (c.exitCode !== null || c.signalCode !== null) return done();
          const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
          c.once('exit', () => {
            clearTimeout(timer);
            done();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
}
