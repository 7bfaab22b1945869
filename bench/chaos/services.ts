// The pipeline's services as child processes that a suite may kill -9, stop and continue, and
// start again, one or more instances of each (a second linkage is the same consumer group on
// another HTTP port). Runs the compiled services (dist/), as `followup demo` does.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '@trial/config';
import { freePort, PortTaken, spawnService, waitHealthy, type Supervised } from '../../apps/cli/src/supervisor';

export const SERVICE_KINDS = ['linkage', 'projector', 'api', 'ingest'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

const PORT_VAR: Record<ServiceKind, string> = { api: 'API_PORT', ingest: 'INGEST_PORT', linkage: 'LINKAGE_PORT', projector: 'PROJECTOR_PORT' };
const ROOT = projectRoot();

/** A started instance (its name is e.g. `linkage#2`). */
export interface Instance extends Supervised {
  kind: ServiceKind;
  startedAt: number;
}

export class Fleet {
  readonly instances = new Map<string, Instance>();
  private readonly ports = new Map<string, number>();

  constructor(
    private readonly env: Record<string, string>,
    private readonly logDir: string,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  /** Starts (or starts again, on the same port) one instance; does not wait for it. */
  async start(kind: ServiceKind, n = 1): Promise<Instance> {
    const name = `${kind}#${n}`;
    const port = this.ports.get(name) ?? (await freePort());
    this.ports.set(name, port);
    const script = join(ROOT, 'dist/apps', kind, 'src/main.js');
    const started = spawnService(name, script, port, { ...this.env, [PORT_VAR[kind]]: String(port) }, join(this.logDir, `${kind}-${n}.log`));
    const inst: Instance = { ...started, kind, startedAt: Date.now() };
    this.instances.set(name, inst);
    return inst;
  }

  get(name: string): Instance {
    const i = this.instances.get(name);
    if (!i) throw new Error(`no instance ${name}`);
    return i;
  }

  running(name: string): boolean {
    const c = this.instances.get(name)?.child;
    return !!c && c.exitCode === null && c.signalCode === null;
  }

  /** kill -9; resolves once the process is gone. */
  async kill(name: string): Promise<void> {
    const c = this.get(name).child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGKILL');
    await gone;
  }

  signal(name: string, sig: 'SIGSTOP' | 'SIGCONT'): void {
    this.get(name).child.kill(sig);
  }

  async restart(name: string): Promise<Instance> {
    const [kind, n] = name.split('#') as [ServiceKind, string];
    if (this.running(name)) await this.kill(name);
    return this.start(kind, Number(n));
  }

  url(name: string): string {
    return `http://127.0.0.1:${this.get(name).port}`;
  }

  /**
   * Waits until the instance itself answers `GET /health` with 200 (supervisor.ts waitHealthy).
   * If another process took its port first, it starts again on a new one (twice at most).
   */
  async healthy(name: string, timeoutMs = 120_000): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await waitHealthy(this.get(name), timeoutMs);
      } catch (e) {
        if (!(e instanceof PortTaken) || attempt === 3) throw e;
        const [kind, n] = name.split('#') as [ServiceKind, string];
        this.ports.delete(name);
        await this.start(kind, Number(n));
      }
    }
  }

  /** SIGTERM everything (SIGCONT first, so a stopped process can act on it), SIGKILL after 10 s. */
  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.instances.values()].map(
        (i) =>
          new Promise<void>((done) => {
            const c = i.child;
            if (c.exitCode !== null || c.signalCode !== null) return done();
            const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
            c.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            c.kill('SIGCONT');
            c.kill('SIGTERM');
          }),
      ),
    );
  }
}
