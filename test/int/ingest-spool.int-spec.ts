import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signToken } from '@trial/auth';
import { eventually, privateTopics, testKafka, TEST_DATABASE_URL } from '../support';
import { freePort } from '../../apps/cli/src/supervisor';

const SECRET = 'test-secret-test-secret-test-secret-0123';
const ROOT = join(__dirname, '..', '..');
const HEADER =
  'RECORD_ID,RECORD_VERSION,NOTIFICATION_TYPE,DEC_CONF_NHS_NUMBER,DEC_DATE_OF_BIRTH,DEC_SEX,DEC_SURNAME,DEC_FORENAMES,DEC_POSTCODE,REG_DATE_OF_DEATH,REG_DATE,S_UNDERLYING_COD_ICD10,POD_CODE,EVENT_DATE,CANCELLED_FLAG';

/** Files the process has open under one of `dirs` (Linux /proc): the upload being spooled. */
function openFilesUnder(pid: number, dirs: string[]): string[] {
  const out: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    if (dirs.some((d) => target.startsWith(`${d}/`))) out.push(target);
  }
  return out;
}

/**
 * A SIGKILL mid-upload must not leave the extract (names, NHS numbers) on disk.
 * The ingest service runs as a real child process from source (test/support/run-ts.js) with its
 * own TMPDIR, so anything multer put in os.tmpdir() is seen, and a spool directory of its own.
 */
describe('ingest upload spool after a SIGKILL mid-upload (real process, Kafka and Postgres)', () => {
  const kafka = testKafka();
  const base = mkdtempSync(join(tmpdir(), 'ingest-spool-suite-'));
  const childTmp = join(base, 'tmp');
  const spool = join(base, 'spool');
  let prefix: string;
  let drop: () => Promise<void>;
  let child: ChildProcess | null = null;
  let port = 0;

  const start = async (): Promise<ChildProcess> => {
    const p = spawn(process.execPath, [join(ROOT, 'test/support/run-ts.js'), 'apps/ingest/src/main.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        NODE_ENV: 'test',
        INGEST_PORT: String(port),
        DATABASE_URL: TEST_DATABASE_URL,
        TOPIC_PREFIX: prefix,
        AUTH_SECRET: SECRET,
        LOG_LEVEL: 'error',
        TMPDIR: childTmp,
        INGEST_SPOOL_DIR: spool,
      },
    });
    await eventually(
      async () => {
        if (p.exitCode !== null) throw new Error(`ingest exited with ${p.exitCode}`);
        const r = await fetch(`http://127.0.0.1:${port}/health`).catch(() => null);
        return r ? true : undefined;
      },
      'the ingest service listening',
      60_000,
    );
    return p;
  };
  const killed = (p: ChildProcess, signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (p.exitCode !== null || p.signalCode !== null) return resolve();
      p.once('exit', () => resolve());
      p.kill(signal);
    });

  beforeAll(async () => {
    mkdirSync(childTmp);
    ({ prefix, drop } = await privateTopics(kafka, 'spool'));
    port = await freePort();
  });

  afterAll(async () => {
    if (child) await killed(child, 'SIGTERM');
    await drop?.();
    rmSync(base, { recursive: true, force: true });
  });

  it('leaves no spooled file and nothing in os.tmpdir() once restarted', async () => {
    child = await start();
    const pid = child.pid!;

    // An upload that never finishes: the multipart body is written in part and left open.
    const rows = Array.from({ length: 2000 }, (_, i) => `D-${i},1,D,9434765919,19410203,1,SMITH,JOHN PAUL,SE1 7EH,20090630,20090706,I21.9,H,,`);
    const begin = () => {
      const boundary = `----spool${Date.now()}`;
      const token = signToken(SECRET, { sub: 'registry-feed', role: 'ingest', ttlSeconds: 600 });
      const r = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/registry/extracts',
        headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' },
      });
      r.on('error', () => undefined); // the server is killed under it, or we abort it
      r.write(`--${boundary}\r\ncontent-disposition: form-data; name="source"\r\n\r\nONS\r\n`);
      r.write(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="extract.csv"\r\ncontent-type: text/csv\r\n\r\n`);
      r.write(`${HEADER}\n${rows.join('\n')}\n`);
      return r;
    };
    const spooled = () =>
      eventually(
        async () => {
          const open = openFilesUnder(pid, [spool, childTmp]);
          return open.length ? open : undefined;
        },
        'the upload being spooled',
        20_000,
      );

    // A client that gives up mid-upload: its spooled file is released, and the service carries on.
    const abandoned = begin();
    await spooled();
    abandoned.destroy();
    await eventually(async () => (openFilesUnder(pid, [spool, childTmp]).length === 0 ? true : undefined), 'the abandoned upload released');
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBeLessThan(600);

    const req = begin();
    const spooling = await spooled();
    console.log(`mid-upload, the service has open: ${spooling.join(', ')}`);

    await killed(child, 'SIGKILL');
    child = null;
    req.destroy();
    // A kill between creating a spool file and unlinking it would leave one like this.
    mkdirSync(spool, { recursive: true });
    writeFileSync(join(spool, 'upload-left-by-a-kill'), `${HEADER}\n${rows[0]}\n`);

    child = await start();
    expect(readdirSync(childTmp)).toEqual([]);
    expect(readdirSync(spool)).toEqual([]);
    expect(statSync(spool).mode & 0o777).toBe(0o700);
  });
});
