import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '@trial/config';
import { SERVICES, stopChildren, type ServiceName } from '../../apps/cli/src/supervisor';

/**
 * The four compiled services as child processes, as `followup demo` starts them
 * (apps/cli/src/supervisor.ts), but keeping each child's handle: the fuzz asserts that every
 * process is still alive at the end, which the supervisor does not expose.
 */
export { SERVICES };
export type Service = ServiceName;
const PORT_VAR: Record<Service, string> = { api: 'API_PORT', ingest: 'INGEST_PORT', linkage: 'LINKAGE_PORT', projector: 'PROJECTOR_PORT' };

export interface Running {
  ports: Record<Service, number>;
  logDir: string;
  /** Services whose process has exited, with how. */
  exited(): Array<{ service: Service; how: string }>;
  /** Each service's process id (for its memory in /proc). */
  pids(): Record<Service, number | undefined>;
  stop(): Promise<void>;
}

/** Ports the OS says are free now (bound to 0 and released). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((ok, fail) => {
          const s = createServer();
          s.once('error', fail);
          s.listen(0, '127.0.0.1', () => ok(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export async function startServices(env: Record<string, string>, logDir: string, timeoutMs = 90_000): Promise<Running> {
  mkdirSync(logDir, { recursive: true });
  const root = projectRoot();
  const list = await freePorts(SERVICES.length);
  const ports = Object.fromEntries(SERVICES.map((s, i) => [s, list[i]])) as Record<Service, number>;
  const portEnv = Object.fromEntries(SERVICES.map((s) => [PORT_VAR[s], String(ports[s])]));
  const children = new Map<Service, ChildProcess>();
  for (const s of SERVICES) {
    const log = createWriteStream(join(logDir, `${s}.log`), { flags: 'a' });
    const child = spawn(process.execPath, [join(root, 'dist/apps', s, 'src/main.js')], {
      env: { ...process.env, ...env, ...portEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    children.set(s, child);
  }
  const exited = () =>
    [...children]
      .filter(([, c]) => c.exitCode !== null || c.signalCode !== null)
      .map(([service, c]) => ({ service, how: c.signalCode ?? `exit code ${c.exitCode}` }));
  const stop = () => stopChildren(children.values());
  try {
    await Promise.all(
      SERVICES.map(async (s) => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const child = children.get(s)!;
          if (child.exitCode !== null) throw new Error(`${s} exited with code ${child.exitCode}; see ${join(logDir, `${s}.log`)}`);
          if (
            await fetch(`http://127.0.0.1:${ports[s]}/health`).then(
              (r) => r.ok,
              () => false,
            )
          )
            return;
          if (Date.now() > deadline) throw new Error(`${s} did not become healthy within ${timeoutMs / 1000} s; see ${join(logDir, `${s}.log`)}`);
          await new Promise((r) => setTimeout(r, 250));
        }
      }),
    );
  } catch (e) {
    await stop();
    throw e;
  }
  const pids = () => Object.fromEntries([...children].map(([service, c]) => [service, c.pid])) as Record<Service, number | undefined>;
  return { ports, logDir, exited, pids, stop };
}
