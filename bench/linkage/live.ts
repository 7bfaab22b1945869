/**
 * The live linkage service, end to end (the second half of `npm run bench:linkage`; README,
 * "Live service"). On a database and topics of its own, on the shared broker:
 *
 *   1. the seeded generator (generate.ts) writes a trial cohort and an ONS extract;
 *   2. TrialRegistered and one PatientRandomised a patient go to trial.enrollments;
 *   3. N compiled linkage services start (one consumer group) and take every patient in;
 *   4. `followup ingest` publishes the extract to registry.notifications as in production;
 *   5. timed until the linkage consumer's checkpoints (Postgres, consumer_checkpoints) reach the
 *      topic's end on every partition and the outbox has nothing unsent.
 *
 * Then, with the service stopped: a bare kafkajs consumer reads the same topic for the ceiling,
 * and each outcome event's Kafka timestamp is paired with its notification's for the latency.
 *
 *   node dist/bench/linkage/live.js [--patients 10000] [--rows 1000000] [--seed 42] [--instances 1]
 *     [--partitions 6] [--service-dir DIR] [--timeout-s 7200] [--cpu-prof DIR]
 *
 * --service-dir: a checkout with dist/ built whose linkage service and `followup ingest` run
 * (default: this one), e.g. another branch's worktree, to measure its service with this bench.
 * --cpu-prof: the linkage services run with `node --cpu-prof`, their profiles written to DIR.
 *
 * Beside the rates it prints the CPU seconds each process used per 100,000 notifications
 * (cpu.ts): on a shared machine those compare two runs where wall-clock rates do not.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { projectRoot } from '@trial/config';
import { EnrollmentMessage, enrollmentKey, topicNames, topicSpecs, TopicNames } from '@trial/contracts';
import { createKafka, createProducer, deleteTopics, ensureTopics } from '@trial/messaging';
import { freePort, spawnService, waitHealthy, type Supervised } from '../../apps/cli/src/supervisor';
import { CpuMeter, findProcess } from '../cpu';
import { generate, generatorVersion } from './generate';
import { bareConsumerRate, BareRead, coverage, messagesIn, notificationTimes, percentile, readOutcomes, TopicEnd, topicEnds } from './live-read';
import { arg } from './args';

export interface LiveOptions {
  patients: number;
  rows: number;
  seed: number;
  /** Linkage processes in the one consumer group. */
  instances: number;
  partitions: number;
  /** A checkout with dist/ built: its dist/apps/linkage and bin/followup.js are run. */
  serviceDir: string;
  brokers: string;
  /** A database on the server to connect to for create/drop. */
  adminUrl: string;
  /** The benchmark's own database: dropped and created at the start, dropped at the end. */
  database: string;
  logDir: string;
  /** Where the generated files are cached (default: under the OS temp dir, by seed and size). */
  dataDir?: string;
  timeoutS: number;
  /** Run the linkage services with `node --cpu-prof`, writing their profiles here. */
  cpuProfDir?: string;
  log: (line: string) => void;
}

export interface LiveResult {
  machine: string;
  serviceDir: string;
  instances: number;
  partitions: number;
  /** 1, 5 and 15 minute load averages: before the run, and when the last notification was applied. */
  loadBefore: number[];
  loadAtEnd: number[];
  patients: number;
  enrolSeconds: number;
  rows: number;
  published: number;
  rejected: number;
  ingestSeconds: number;
  /** Notifications the linkage consumer's checkpoints cover when the run ended. */
  applied: number;
  /** Every notification applied (checkpoints at the topic's end on every partition) before the timeout. */
  complete: boolean;
  outboxEmpty: boolean;
  /** From the first notification's Kafka timestamp to the moment the last was seen applied. */
  appliedSeconds: number;
  /** From the same start to the moment the outbox had nothing unsent. */
  committedSeconds: number;
  notificationsPerSecond: number;
  outcomes: number;
  /** Outcome events whose notification was found on the topic (all of them, normally). */
  paired: number;
  latencyMs: { p50: number; p99: number; max: number } | null;
  bare: BareRead;
  /**
   * CPU seconds used from the start of the ingest to the empty outbox, by process: the
   * linkage services, this database's Postgres backends, the ingest, this bench (polling) and
   * the broker (shared with anything else using it).
   */
  cpuSeconds: Record<string, number>;
}

const CONSUMER = 'linkage';
const POLL_MS = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function machine(): string {
  const c = cpus();
  return `${c[0]?.model ?? 'unknown cpu'}, ${c.length} cpus, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`;
}

/** The trial's enrolment events from the generator's cohort (link-cli.md layout, no quoted cells). */
function enrolments(cohortPath: string): EnrollmentMessage[] {
  const lines = readFileSync(cohortPath, 'utf8').split('\n').filter(Boolean);
  const head = lines[0].split(',');
  const at = (name: string): number => {
    const i = head.indexOf(name);
    if (i < 0) throw new Error(`cohort has no ${name} column`);
    return i;
  };
  const col = Object.fromEntries(
    ['trialId', 'patientId', 'arm', 'randomisedOn', 'nhsNumber', 'chiNumber', 'dateOfBirth', 'sex', 'familyName', 'givenNames', 'postcode'].map(
      (n) => [n, at(n)],
    ),
  );
  const rows = lines.slice(1).map((l) => l.split(','));
  const trialId = rows[0]?.[col.trialId] ?? 'BENCH-1';
  const arms = [...new Set(rows.map((r) => r[col.arm]))].sort();
  const orNull = (s: string): string | null => (s === '' ? null : s);
  const sexOf = (s: string): 'M' | 'F' | 'U' => (s === 'M' || s === 'F' ? s : 'U');
  return [
    {
      v: 1,
      type: 'TrialRegistered',
      eventId: `bench-live-${trialId}`,
      trialId,
      title: 'Live linkage benchmark',
      arms,
      referenceArm: arms[0],
      plannedEvents: 1000,
      alpha: 0.05,
      sided: 2,
      looks: [0.5, 1],
      spending: 'obrien-fleming',
    },
    ...rows.map((r): EnrollmentMessage => ({
      v: 1,
      type: 'PatientRandomised',
      eventId: `bench-live-${trialId}-${r[col.patientId]}`,
      trialId,
      patientId: r[col.patientId],
      arm: r[col.arm],
      randomisedOn: r[col.randomisedOn],
      site: 'BENCH',
      nhsNumber: orNull(r[col.nhsNumber]),
      chiNumber: orNull(r[col.chiNumber]),
      dateOfBirth: r[col.dateOfBirth],
      sex: sexOf(r[col.sex]),
      familyName: r[col.familyName],
      givenNames: r[col.givenNames],
      postcode: orNull(r[col.postcode]),
    })),
  ];
}

async function publishEnrolments(kafka: Kafka, topics: TopicNames, events: EnrollmentMessage[]): Promise<void> {
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    for (let i = 0; i < events.length; i += 2000) {
      await producer.send({
        topic: topics.enrollments,
        acks: -1,
        messages: events.slice(i, i + 2000).map((e) => ({ key: enrollmentKey(e), value: JSON.stringify(e) })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Offsets the linkage consumer has applied on `topic`, by partition (its last applied offset). */
async function checkpoints(pg: Client, topic: string): Promise<Map<number, bigint>> {
  const rows = (
    await pg.query<{ partition: number; offset: string }>(`select partition, "offset" from consumer_checkpoints where consumer = $1 and topic = $2`, [
      CONSUMER,
      topic,
    ])
  ).rows;
  return new Map(rows.map((r) => [r.partition, BigInt(r.offset)]));
}

type Service = Supervised;

/** Every child this process started, so that Ctrl-C does not leave a service consuming. */
const children = new Set<ChildProcess>();

/** Node flags the linkage service runs with (see startLinkage). */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=64'];

async function startLinkage(opts: LiveOptions, env: Record<string, string>, n: number): Promise<Service> {
  const port = await freePort();
  const prof = opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : [];
  // The service's node flag (as it is to be run in production, README "Benchmarks"): a batch's
  // working set (about 9,000 decoded notifications, their decisions and audit rows) outlives
  // V8's default 16 MB young generation and was promoted, then collected by the old
  // generation's mark-compact; with 64 MB it mostly dies young. Measured here, 10,000 x 100,000:
  // the service's CPU per 100,000 notifications 9.7-10.3 s by default, 8.7-9.2 s with it.
  const started = spawnService(
    `linkage#${n}`,
    join(opts.serviceDir, 'dist/apps/linkage/src/main.js'),
    port,
    { ...env, LINKAGE_PORT: String(port) },
    join(opts.logDir, `linkage-${n}.log`),
    // A build from before INSTANCE_ID (--service-dir, to compare builds) does not name itself on /health.
    { nodeFlags: [...prof, ...SERVICE_NODE_FLAGS], logFlags: 'w', named: opts.serviceDir === projectRoot() },
  );
  children.add(started.child);
  return started;
}

/** SIGTERM (a service leaves its group and finishes its batch), SIGKILL after 10 s. */
async function stopAll(processes: Iterable<ChildProcess>): Promise<void> {
  await Promise.all(
    [...processes].map(
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

interface IngestRun {
  rows: number;
  published: number;
  rejected: number;
  seconds: number;
}

/** `followup ingest --source ONS FILE` of the service's checkout, at the private topics. */
function ingest(opts: LiveOptions, env: Record<string, string>, file: string, onStart: (pid: number | undefined) => void): Promise<IngestRun> {
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      join(opts.serviceDir, 'bin/followup.js'),
      'ingest',
      '--source',
      'ONS',
      '--extracted-on',
      '2011-10-02',
      '--rejects',
      join(opts.logDir, 'rejects.csv'),
      '--warnings',
      join(opts.logDir, 'warnings.csv'),
      file,
    ],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  onStart(child.pid);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.pipe(createWriteStream(join(opts.logDir, 'ingest.log')));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`followup ingest exited with ${code}; see ${join(opts.logDir, 'ingest.log')}`));
      try {
        const s = JSON.parse(out) as { rows: number; published: number; rejected: number };
        resolve({ rows: s.rows, published: s.published, rejected: s.rejected, seconds: (performance.now() - t0) / 1000 });
      } catch {
        reject(new Error('followup ingest printed no JSON summary'));
      }
    });
  });
}

async function admin(url: string, sql: string): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export async function runLive(opts: LiveOptions): Promise<LiveResult> {
  const loadBefore = loadavg();
  const dir = opts.dataDir ?? join(tmpdir(), `trial-followup-linkage-g${generatorVersion}-ons-${opts.seed}-${opts.patients}-${opts.rows}`);
  if (!existsSync(join(dir, 'truth.csv'))) {
    opts.log(`generating ${opts.patients} patients and ${opts.rows} rows (seed ${opts.seed}) in ${dir}`);
    generate({ seed: opts.seed, patients: opts.patients, rows: opts.rows, layout: 'ons', outDir: dir });
  }
  for (const f of ['dist/apps/linkage/src/main.js', 'bin/followup.js', 'dist/apps/cli/src/main.js']) {
    if (!existsSync(join(opts.serviceDir, f))) throw new Error(`${opts.serviceDir} has no ${f} (npm run build there first)`);
  }
  mkdirSync(opts.logDir, { recursive: true });
  if (!/^[a-z0-9_]+$/.test(opts.database)) throw new Error(`database name ${opts.database} must be [a-z0-9_]`);
  const dbUrl = opts.adminUrl.replace(/\/[^/?]+(\?.*)?$/, `/${opts.database}`);
  await admin(opts.adminUrl, `drop database if exists ${opts.database} with (force)`);
  await admin(opts.adminUrl, `create database ${opts.database}`);
  const prefix = `bench-live-${Date.now().toString(36)}${randomBytes(2).toString('hex')}-`;
  const topics = topicNames(prefix);
  const specs = topicSpecs(topics, opts.partitions);
  const kafka = createKafka(opts.brokers, 'bench-live', (level, msg) => {
    if (level === 'error') opts.log(`kafka: ${msg}`);
  });
  await ensureTopics(kafka, specs);
  opts.log(`database ${opts.database}, topics ${prefix}*`);
  const env = {
    KAFKA_BROKERS: opts.brokers,
    DATABASE_URL: dbUrl,
    MIGRATION_DATABASE_URL: '',
    TOPIC_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'development',
  };
  const services: Service[] = [];
  const pg = new Client({ connectionString: dbUrl });
  let pgOpen = false;
  try {
    const events = enrolments(join(dir, 'cohort.csv'));
    const patients = events.length - 1;
    await publishEnrolments(kafka, topics, events);
    const e0 = performance.now();
    // The services migrate the database at start (under an advisory lock), as in production.
    for (let n = 1; n <= opts.instances; n++) services.push(await startLinkage(opts, env, n));
    await Promise.all(services.map((s) => waitHealthy(s, 120_000)));
    await pg.connect();
    pgOpen = true;
    const exited = (): string | null => {
      const gone = services.find((s) => s.child.exitCode !== null || s.child.signalCode !== null);
      return gone ? `${gone.name} exited (${gone.child.exitCode ?? gone.child.signalCode}); see ${opts.logDir}` : null;
    };
    const enrolEnds = await topicEnds(kafka, topics.enrollments);
    for (;;) {
      const why = exited();
      if (why) throw new Error(why);
      if (coverage(await checkpoints(pg, topics.enrollments), enrolEnds).complete) break;
      if (performance.now() - e0 > opts.timeoutS * 1000) throw new Error(`the patients were not all taken in within ${opts.timeoutS} s`);
      await sleep(POLL_MS);
    }
    const enrolSeconds = (performance.now() - e0) / 1000;
    opts.log(`${patients} patients taken in by ${opts.instances} linkage instance(s) in ${enrolSeconds.toFixed(1)} s (from their start)`);

    // The ingest runs while the checkpoints are polled; its end fixes the topic's end offsets.
    // (An object: TypeScript does not see assignments made in a callback.)
    const ingestion: { ends: TopicEnd[] | null; failed: unknown } = { ends: null, failed: null };
    const started = Date.now();
    const meter = new CpuMeter();
    const kafkaPid = findProcess('kafka.Kafka');
    let ingestPid: number | undefined;
    let windowOpen = false;
    let lastBackends = 0;
    let backendPids: number[] = [];
    const sampleCpu = async (force = false): Promise<void> => {
      for (const s of services) meter.sample('linkage', s.child.pid);
      meter.sample('ingest', ingestPid, true);
      meter.sample('kafka broker (shared)', kafkaPid);
      meter.sample('bench (polling)', process.pid);
      // Backends come and go with the pools: listed once a second, read at every sample.
      if (force || Date.now() - lastBackends > 1000) {
        lastBackends = Date.now();
        backendPids = (await pg.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [opts.database])).rows.map(
          (r) => r.pid,
        );
      }
      for (const pid of backendPids) meter.sample('postgres (this database)', pid, windowOpen);
    };
    await sampleCpu(true);
    windowOpen = true;
    const run = ingest(opts, env, join(dir, 'extract.csv'), (pid) => {
      ingestPid = pid;
      meter.sample('ingest', pid, true);
    }).then(async (r) => {
      ingestion.ends = await topicEnds(kafka, topics.notifications);
      return r;
    });
    run.catch((e: unknown) => {
      ingestion.failed = e;
    });
    let appliedAt = 0;
    let lastReport = Date.now();
    let applied = 0;
    let complete = false;
    while (Date.now() - started < opts.timeoutS * 1000) {
      if (ingestion.failed) throw ingestion.failed;
      const why = exited();
      if (why) throw new Error(why);
      const cps = await checkpoints(pg, topics.notifications);
      if (ingestion.ends) {
        ({ applied, complete } = coverage(cps, ingestion.ends));
        if (complete) {
          appliedAt = Date.now();
          break;
        }
      }
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        const sofar = [...cps.values()].reduce((s, o) => s + Number(o) + 1, 0);
        opts.log(
          `  ${sofar} notifications applied after ${((Date.now() - started) / 1000).toFixed(0)} s (${(sofar / ((Date.now() - started) / 1000)).toFixed(0)}/s); load ${loadavg()
            .map((l) => l.toFixed(2))
            .join(' ')}`,
        );
      }
      await sampleCpu();
      await sleep(POLL_MS);
    }
    const loadAtEnd = loadavg();
    const ing = await run;
    let committedAt = 0;
    while (complete && Date.now() - started < opts.timeoutS * 1000) {
      const [{ n }] = (await pg.query<{ n: number }>('select count(*)::int as n from outbox where sent_at is null')).rows;
      if (n === 0) {
        committedAt = Date.now();
        break;
      }
      await sampleCpu();
      await sleep(POLL_MS);
    }
    await sampleCpu(true);
    await stopAll(services.map((s) => s.child));
    const notificationEnds: TopicEnd[] = ingestion.ends ?? (await topicEnds(kafka, topics.notifications));
    if (!complete) ({ applied } = coverage(await checkpoints(pg, topics.notifications), notificationEnds));
    opts.log(`${complete ? 'all' : 'NOT all'} ${messagesIn(notificationEnds)} notifications applied; reading the topics back`);

    const bare = await bareConsumerRate(kafka, topics.notifications, notificationEnds);
    const outcomes = await readOutcomes(kafka, topics.outcomes, await topicEnds(kafka, topics.outcomes));
    const times = await notificationTimes(kafka, topics.notifications, notificationEnds, new Set(outcomes.map((o) => o.record)));
    const latencies: number[] = [];
    for (const o of outcomes) {
      const t = times.at.get(o.record);
      if (t !== undefined) latencies.push(o.at - t);
    }
    latencies.sort((a, b) => a - b);
    const appliedSeconds = complete ? (appliedAt - times.first) / 1000 : NaN;
    return {
      machine: machine(),
      serviceDir: opts.serviceDir,
      instances: opts.instances,
      partitions: opts.partitions,
      loadBefore,
      loadAtEnd,
      patients,
      enrolSeconds,
      rows: ing.rows,
      published: ing.published,
      rejected: ing.rejected,
      ingestSeconds: ing.seconds,
      applied,
      complete,
      outboxEmpty: committedAt > 0,
      appliedSeconds,
      committedSeconds: committedAt ? (committedAt - times.first) / 1000 : NaN,
      notificationsPerSecond: complete ? messagesIn(notificationEnds) / appliedSeconds : NaN,
      outcomes: outcomes.length,
      paired: latencies.length,
      latencyMs: latencies.length ? { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] } : null,
      bare,
      cpuSeconds: Object.fromEntries(meter.totals()),
    };
  } finally {
    await stopAll(services.map((s) => s.child));
    if (pgOpen) await pg.end().catch(() => undefined);
    await deleteTopics(
      kafka,
      specs.map((s) => s.topic),
    ).catch((e: unknown) => opts.log(`could not delete the topics ${prefix}*: ${String(e)}`));
    await admin(opts.adminUrl, `drop database if exists ${opts.database} with (force)`).catch((e: unknown) =>
      opts.log(`could not drop ${opts.database}: ${String(e)}`),
    );
  }
}

export function formatLive(r: LiveResult): string {
  const f = (n: number, d = 0): string =>
    Number.isFinite(n) ? n.toLocaleString('en-GB', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a';
  const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');
  const ratio = r.notificationsPerSecond / r.bare.perSecond;
  return [
    `live linkage service (${r.serviceDir}, ${r.instances} instance${r.instances > 1 ? 's' : ''}, ${r.partitions} partitions a topic, node ${SERVICE_NODE_FLAGS.join(' ')})`,
    `  machine: ${r.machine}; load average (1/5/15 min) ${load(r.loadBefore)} before, ${load(r.loadAtEnd)} at the last notification applied`,
    `  trial: ${f(r.patients)} patients taken in in ${f(r.enrolSeconds, 1)} s; extract: ${f(r.rows)} rows, ${f(r.published)} published, ${f(r.rejected)} rejected by followup ingest (${f(r.ingestSeconds, 1)} s)`,
    r.complete
      ? `  every notification applied ${f(r.appliedSeconds, 1)} s after the first publish; outbox empty at ${r.outboxEmpty ? `${f(r.committedSeconds, 1)} s` : 'never (timed out)'}`
      : `  TIMED OUT: ${f(r.applied)} of ${f(r.published)} notifications applied`,
    `  notifications/s (live service):     ${f(r.notificationsPerSecond)}`,
    `  bare kafkajs consumer, same topic:  ${f(r.bare.perSecond)} messages/s (${f(r.bare.messages)} in ${f(r.bare.seconds, 2)} s; eachBatch, no processing)`,
    `  service / bare consumer:            ${f(ratio, 4)} (1 : ${f(1 / ratio)})`,
    r.latencyMs
      ? `  ingest -> outcome event (${f(r.paired)} of ${f(r.outcomes)} outcome events): p50 ${f(r.latencyMs.p50 / 1000, 2)} s, p99 ${f(r.latencyMs.p99 / 1000, 2)} s, max ${f(r.latencyMs.max / 1000, 2)} s`
      : `  ingest -> outcome event: no outcome event (${r.outcomes} on the topic)`,
    `  CPU s per 100,000 notifications, ingest start to empty outbox: ${
      Object.entries(r.cpuSeconds)
        .map(([k, v]) => `${k} ${f((v / Math.max(r.published, 1)) * 100_000, 1)}`)
        .join('; ') || 'not measured (no /proc)'
    }`,
  ].join('\n');
}

async function main(): Promise<void> {
  const root = projectRoot();
  const num = (name: string, fallback: number): number => {
    const v = Number(arg(name, String(fallback)));
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive whole number`);
    return v;
  };
  const result = await runLive({
    patients: num('patients', 10_000),
    rows: num('rows', 1_000_000),
    seed: num('seed', 42),
    instances: num('instances', 1),
    partitions: num('partitions', 6),
    timeoutS: num('timeout-s', 7200),
    serviceDir: arg('service-dir', root),
    brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    adminUrl: process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    database: arg('database', 'trial_followup_bench_live'),
    logDir: join(tmpdir(), 'trial-followup-bench-live-logs'),
    cpuProfDir: process.argv.includes('--cpu-prof') ? arg('cpu-prof', '') || undefined : undefined,
    log: (l) => process.stdout.write(`${l}\n`),
  });
  process.stdout.write(`${formatLive(result)}\n`);
  if (!result.complete || !result.outboxEmpty) process.exitCode = 1;
}

if (require.main === module) {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      process.stderr.write(`bench:linkage live: ${sig}; stopping the services it started (its database and bench-live-* topics are left)\n`);
      void stopAll(children).finally(() => process.exit(130));
    });
  }
  main().catch((e: unknown) => {
    process.stderr.write(`bench:linkage live: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
