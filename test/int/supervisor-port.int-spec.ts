import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { INSTANCE_HEADER } from '@trial/config';
import { freePort, instanceId, PortTaken, projectRoot, waitHealthy, type Supervised } from '../../apps/cli/src/supervisor';
import { KAFKA_BROKERS, TEST_DATABASE_URL } from '../support';

/**
 * A port chosen free can be taken before the service binds it. The chaos test once started
 * the api and then the ingest service on the same port: the ingest service bound it first, the
 * api failed to listen, and its /health check was answered by the ingest service, so every
 * read-out the test asked for was a 404. Supervisors now pick distinct ports and take only
 * the service's own answer (it names itself in X-Instance-Id).
 */
describe('supervised services and their ports', () => {
  const children: ChildProcess[] = [];
  const servers: Server[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  /** An HTTP server on a free port that answers /health 200 (naming itself `as`, if given). */
  async function squatter(as?: string): Promise<number> {
    const port = await freePort();
    const srv = createServer((_req, res) => {
      if (as !== undefined) res.setHeader(INSTANCE_HEADER, as);
      res.end('{"status":"ok"}');
    });
    servers.push(srv);
    await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
    return port;
  }

  function nodeChild(script: string, env: Record<string, string> = {}): ChildProcess {
    const c = spawn(process.execPath, ['-e', script], { env: { ...process.env, ...env }, stdio: 'ignore' });
    children.push(c);
    return c;
  }

  const supervised = (name: string, port: number, child: ChildProcess, instance: string | null): Supervised => ({
    name,
    port,
    child,
    instance,
    logFile: `/tmp/${name}.log`,
  });

  it('freePort never hands out a port twice in one process (the OS does, within a few hundred binds)', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 300; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });

  it("takes another process's 200 for what it is: PortTaken once the service exits", async () => {
    const port = await squatter('someone-else');
    const child = nodeChild('setTimeout(() => process.exit(1), 1500)');
    const started = Date.now();
    const err = await waitHealthy(supervised('api', port, child, instanceId('api')), 20_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortTaken);
    expect((err as Error).message).toMatch(new RegExp(`^api: another process answers on port ${port}, and api exited \\(code 1\\)`));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // it waited for the exit, not for the first 200
  });

  it('an answer without the header is not the service either', async () => {
    const port = await squatter();
    const child = nodeChild('setTimeout(() => process.exit(1), 500)');
    await expect(waitHealthy(supervised('ingest', port, child, instanceId('ingest')), 20_000)).rejects.toBeInstanceOf(PortTaken);
  });

  it('its own answer, and with no instance to check (an older build) any 200', async () => {
    const instance = instanceId('linkage#1');
    const mine = await squatter(instance);
    const alive = nodeChild('setTimeout(() => {}, 30000)');
    await expect(waitHealthy(supervised('linkage#1', mine, alive, instance), 5_000)).resolves.toBeUndefined();
    const unnamed = await squatter();
    await expect(waitHealthy(supervised('linkage#1', unnamed, alive, null), 5_000)).resolves.toBeUndefined();
  });

  it('the real api names itself on /health, and a port held by another process gives PortTaken, not a false start', async () => {
    const main = join(projectRoot(), 'dist/apps/api/src/main.js');
    const env = { KAFKA_BROKERS, DATABASE_URL: TEST_DATABASE_URL, NODE_ENV: 'test', LOG_LEVEL: 'warn', AUTH_SECRET: 'x'.repeat(32) };
    const start = (port: number, instance: string): ChildProcess => {
      const c = spawn(process.execPath, [main], { env: { ...process.env, ...env, API_PORT: String(port), INSTANCE_ID: instance }, stdio: 'ignore' });
      children.push(c);
      return c;
    };
    const free = await freePort();
    const instance = instanceId('api');
    const api = start(free, instance);
    await waitHealthy(supervised('api', free, api, instance), 60_000);
    const res = await fetch(`http://127.0.0.1:${free}/health`);
    expect(res.headers.get(INSTANCE_HEADER)).toBe(instance);
    api.kill('SIGTERM');

    const taken = await squatter('a-squatter');
    const second = instanceId('api');
    const refused = start(taken, second);
    await expect(waitHealthy(supervised('api', taken, refused, second), 60_000)).rejects.toBeInstanceOf(PortTaken);
  }, 90_000);
});
