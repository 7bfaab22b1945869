import { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { apiModule } from '../../apps/api/src/app.module';
import { signToken } from '@trial/auth';
import { privateDatabase, privateTopics, startInProcess, testConfig, testKafka, uniqueId } from '../support';

const SECRET = 'test-secret-test-secret-test-secret-0123';

/**
 * No credential in a log line, through the running API: what it writes to stdout at debug (every request)
 * and at info (a 500, which logs the failed request) holds no token, cookie or stream ticket,
 * whether it came in a header or in the URL, spelt plainly or percent-encoded.
 */
describe("no credential in the API's log lines (real Postgres)", () => {
  const kafka = testKafka();
  const db = privateDatabase(uniqueId('logs'));
  const apps: INestApplication[] = [];
  const url: Record<'debug' | 'info', string> = { debug: '', info: '' };
  let drop: () => Promise<void>;
  const lines: string[] = [];
  let spy: jest.SpyInstance;

  beforeAll(async () => {
    await db.create();
    let prefix: string;
    ({ prefix, drop } = await privateTopics(kafka, 'logs'));
    spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    for (const level of ['debug', 'info'] as const) {
      const a = await startInProcess(apiModule, testConfig(prefix, { DATABASE_URL: db.url, LOG_LEVEL: level }));
      apps.push(a.app);
      url[level] = a.url;
    }
  });

  afterAll(async () => {
    spy?.mockRestore();
    for (const a of apps.reverse()) await a.close();
    await drop?.();
    await db.drop();
  });

  it("censors headers, URL tokens and tickets at debug, and a 500's request at info", async () => {
    const dsmb = signToken(SECRET, { sub: 'dsmb-logs', role: 'dsmb', ttlSeconds: 600 });
    const headers = { authorization: `Bearer ${dsmb}`, cookie: 'session=COOKIESECRET' };
    await fetch(`${url.debug}/trials`, { headers });
    await fetch(`${url.debug}/trials?access_token=${dsmb}`);
    await fetch(`${url.debug}/?token=${dsmb}`);
    await fetch(`${url.debug}/trials/T1/stream?ticket=TICKETSECRETTICKETSECRET`);
    // Percent-encoded: a parameter name, and a JWT's dots.
    const encoded = dsmb.replace(/\./g, '%2E');
    await fetch(`${url.debug}/trials?access%5Ftoken=${encoded}`);
    await fetch(`${url.debug}/trials/T1/stream?ticke%74=ENCODEDTICKETSECRET`);
    await fetch(`${url.debug}/health?tau=1&%61ccess_token=${encoded}`);
    // A 500: the table the read needs is gone.
    const c = new Client({ connectionString: db.url });
    await c.connect();
    await c.query('alter table rm_trials rename to rm_trials_gone');
    try {
      const failed = await fetch(`${url.info}/trials`, { headers });
      expect(failed.status).toBeGreaterThanOrEqual(500);
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await c.query('alter table rm_trials_gone rename to rm_trials');
      await c.end();
    }
    const logged = lines.join('');
    const requestLines = lines.filter((l) => l.includes('"req":'));
    console.log(`${lines.length} lines written, ${requestLines.length} with a request`);
    expect(requestLines.length).toBeGreaterThanOrEqual(8);
    // A query string that holds a credential is logged as `?[credential]`, whatever its spelling.
    expect(requestLines.filter((l) => l.includes('"url":"/trials?[credential]"')).length).toBeGreaterThanOrEqual(2);
    expect(logged).toContain('"url":"/?[credential]"');
    expect(requestLines.filter((l) => l.includes('"url":"/trials/T1/stream?[credential]"')).length).toBeGreaterThanOrEqual(2);
    expect(logged).toContain('"url":"/health?[credential]"');
    expect(lines.some((l) => l.includes('"level":50') && l.includes('"url":"/trials"'))).toBe(true);
    for (const secret of [dsmb, encoded, dsmb.split('.')[2], 'COOKIESECRET', 'TICKETSECRETTICKETSECRET', 'ENCODEDTICKETSECRET'])
      expect(logged).not.toContain(secret);
  });
});
