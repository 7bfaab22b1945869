import { freePort, SERVICES, startServices as superviseServices, type ServiceName } from '../../apps/cli/src/supervisor';

/**
 * The four compiled services as child processes, as `followup demo` starts them
 * (apps/cli/src/supervisor.ts), on free ports: the fuzz asserts that every process is still
 * alive at the end.
 */
export { SERVICES };
export type Service = ServiceName;

export interface Running {
  ports: Record<Service, number>;
  logDir: string;
  /** Services whose process has exited, with how. */
  exited(): Array<{ service: Service; how: string }>;
  /** Each service's process id (for its memory in /proc). */
  pids(): Record<Service, number | undefined>;
  stop(): Promise<void>;
}

/** The services on free ports (supervisor.ts startServices, which waits for each one's own /health). */
export async function startServices(env: Record<string, string>, logDir: string, timeoutMs = 90_000): Promise<Running> {
  const ports = {} as Record<Service, number>;
  for (const s of SERVICES) ports[s] = await freePort();
  const running = await superviseServices(env, ports, logDir, timeoutMs);
  const children = [...running.children];
  const exited = () =>
    children
      .filter(([, c]) => c.exitCode !== null || c.signalCode !== null)
      .map(([service, c]) => ({ service, how: c.signalCode ?? `exit code ${c.exitCode}` }));
  const pids = () => Object.fromEntries(children.map(([service, c]) => [service, c.pid])) as Record<Service, number | undefined>;
  return { ports, logDir, exited, pids, stop: running.stop };
}
