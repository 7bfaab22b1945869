import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '@trial/config';

export { projectRoot };

export const SERVICES = ['linkage', 'projector', 'api', 'ingest'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface RunningServices {
  ports: Record<ServiceName, number>;
  logDir: string;
  stop: () => Promise<void>;
}

const ROOT = projectRoot();

/**
 * Starts the four compiled services as child processes with the given environment, waits
 * until each answers `GET /health` with status ok, and stops them cleanly (SIGTERM, then
 * SIGKILL after 10 s). Each service's JSON log goes to `<logDir>/<service>.log`.
 */
export async function startServices(env: Record<string, string>, ports: Record<ServiceName, number>, logDir: string): Promise<RunningServices> {
  mkdirSync(logDir, { recursive: true });
  const children = new Map<ServiceName, ChildProcess>();
  const portVar: Record<ServiceName, string> = { api: 'API_PORT', ingest: 'INGEST_PORT', linkage: 'LINKAGE_PORT', projector: 'PROJECTOR_PORT' };
  const allPorts = Object.fromEntries(SERVICES.map((s) => [portVar[s], String(ports[s])]));
  for (const s of SERVICES) {
    const log = createWriteStream(join(logDir, `${s}.log`), { flags: 'a' });
    const child = spawn(process.execPath, [join(ROOT, 'dist/apps', s, 'src/main.js')], {
      env: { ...process.env, ...env, ...allPorts },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    children.set(s, child);
  }
  const stop = () => stopChildren(children.values());
  try {
    await Promise.all(SERVICES.map((s) => waitHealthy(s, ports[s], children.get(s)!, logDir)));
  } catch (e) {
    await stop();
    throw e;
  }
  return { ports, logDir, stop };
}

async function waitHealthy(service: ServiceName, port: number, child: ChildProcess, logDir: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${service} exited with code ${child.exitCode}; see ${join(logDir, `${service}.log`)}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${service} did not become healthy on port ${port} within ${timeoutMs / 1000} s; see ${join(logDir, `${service}.log`)}`);
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
