import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { signToken } from '@trial/auth';
import { topicNames, topicSpecs } from '@trial/contracts';
import { createProducer, deleteTopics, ensureTopics } from '@trial/messaging';
import { createDataSource, migrate } from '@trial/storage';
import { check, FuzzReport, Observed, TrialSeen } from './check';
import { readDeadLetters, readGroups, readParked, unsentOutbox } from './collect';
import { FuzzOptions, FuzzPlan, generate } from './generate';
import { sendPlanned } from './publish';
import { SERVICES, startServices } from './services';
import { HttpPhaseResult, runHttpPhase } from './http';
import { ARMS } from './trial';

export interface RunOptions extends FuzzOptions {
  /** A Postgres URL whose server the fuzz creates its own database on. */
  adminUrl: string;
  /** That database's name: dropped and created afresh, since registry completeness is database-wide. */
  database: string;
  brokers: string;
  logDir: string;
  /** How long the pipeline may take to consume everything after the last send. */
  settleMs: number;
  log: (line: string) => void;
  /** The HTTP phase (http.ts) after the message checks; null or absent to leave it out. */
  http?: { hugeLineBytes: number } | null;
}

export interface RunResult {
  plan: FuzzPlan;
  report: FuzzReport;
  prefix: string;
  databaseUrl: string;
  seconds: { setup: number; publish: number; settle: number; http: number; total: number };
  http: HttpPhaseResult | null;
}

const SECRET = 'fuzz-secret-fuzz-secret-fuzz-secret-0123';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const since = (t: number) => (performance.now() - t) / 1000;

/**
 * The fuzz end to end: a fresh database and private topics on the given broker, the four
 * services as processes, the set-up phase sent and applied, then the fuzz phase, then the
 * state read back (health, groups, DLQs, park tables, read-outs) and checked.
 */
export async function runFuzz(o: RunOptions): Promise<RunResult> {
  const t0 = performance.now();
  const prefix = `fz${o.seed}-${Date.now().toString(36)}-`;
  const plan = generate({ ...o, scope: prefix });
  const bad = plan.messages.filter((m) => m.category !== 'valid').length;
  o.log(
    `fuzz seed ${o.seed}: ${plan.messages.length} messages (${bad} bad, ${plan.messages.length - bad} valid), trials ${plan.fuzz.trialId} and ${plan.twin.trialId} of ${o.patients} patients`,
  );
  const kafka = new Kafka({ clientId: 'fuzz', brokers: o.brokers.split(','), logLevel: logLevel.NOTHING });
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

  const databaseUrl = o.adminUrl.replace(/\/[^/?]+(\?.*)?$/, `/${o.database}$1`);
  const admin = new Client({ connectionString: o.adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${o.database} with (force)`);
  await admin.query(`create database ${o.database}`);
  await admin.end();
  const ds = await createDataSource(databaseUrl, { poolSize: 2 }).initialize();
  await migrate(ds);
  await ds.destroy();
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();

  const topics = topicNames(prefix);
  const specs = topicSpecs(topics, o.partitions);
  await ensureTopics(kafka, specs);
  o.log(`topics ${prefix}*, database ${o.database}, logs ${o.logDir}`);
  // The log files are appended to run after run: this run's lines start at their present ends.
  const logs = SERVICES.map((s) => {
    const file = join(o.logDir, `${s}.log`);
    return { file, from: existsSync(file) ? statSync(file).size : 0 };
  });
  const services = await startServices(
    {
      KAFKA_BROKERS: o.brokers,
      DATABASE_URL: databaseUrl,
      MIGRATION_DATABASE_URL: '',
      TOPIC_PREFIX: prefix,
      // Debug with the HTTP phase: its log grep must see every line a request can cause (at debug, once, the Authorization header).
      LOG_LEVEL: o.http ? 'debug' : 'warn',
      NODE_ENV: 'test',
      AUTH_SECRET: SECRET,
    },
    o.logDir,
  );
  const api = `http://127.0.0.1:${services.ports.api}`;
  const token = signToken(SECRET, { sub: 'fuzz', role: 'dsmb', ttlSeconds: 3600 });
  const get = (path: string) => fetch(`${api}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const reviewer = signToken(SECRET, { sub: 'fuzz-reviewer', role: 'reviewer', ttlSeconds: 3600 });
  const reviewIds = [...new Set(plan.messages.flatMap((m) => (m.effect?.kind === 'review' ? [m.effect.reviewId] : [])))];
  const reviewStatus = async (id: string) => {
    const r = await fetch(`${api}/reviews/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${reviewer}` } });
    return r.ok ? ((await r.json()) as { status: string }).status : null;
  };
  const producer = createProducer(kafka);
  await producer.connect();
  const seconds = { setup: 0, publish: 0, settle: 0, http: 0, total: 0 };
  try {
    const t1 = performance.now();
    const positions = await sendPlanned(
      producer,
      topics,
      plan.messages.filter((m) => m.phase === 1),
    );
    await waitFor(
      async () => {
        for (const t of [plan.fuzz, plan.twin]) {
          const rows = await adtte(get, t.trialId);
          for (const p of plan.patients.filter((x) => x.early)) {
            const r = rows.find((x) => x.USUBJID === `${t.trialId}-${p.patientId}`);
            if (!r || (p.deathEarly && r.CNSR !== '0')) return false;
          }
        }
        for (const id of reviewIds) if ((await reviewStatus(id)) !== 'open') return false;
        return true;
      },
      90_000,
      'the set-up phase to be applied',
    );
    seconds.setup = since(t1);
    o.log(`set-up applied in ${seconds.setup.toFixed(1)} s`);

    const t2 = performance.now();
    for (const [seq, at] of await sendPlanned(
      producer,
      topics,
      plan.messages.filter((m) => m.phase === 2),
    ))
      positions.set(seq, at);
    seconds.publish = since(t2);
    o.log(`fuzz phase sent in ${seconds.publish.toFixed(1)} s`);

    // Settled: both groups have consumed everything and the linkage outbox is empty, twice in a row.
    const t3 = performance.now();
    let quiet = 0;
    while (since(t3) * 1000 < o.settleMs && quiet < 2) {
      await sleep(1000);
      const groups = await readGroups(kafka, prefix, topics).catch(() => null);
      const unsent = await unsentOutbox(db).catch(() => 1);
      quiet = groups && groups.every((g) => g.lag === 0) && unsent === 0 ? quiet + 1 : 0;
    }
    seconds.settle = since(t3);
    o.log(quiet >= 2 ? `settled in ${seconds.settle.toFixed(1)} s` : `not settled after ${seconds.settle.toFixed(1)} s; checking what there is`);

    const health = await Promise.all(
      SERVICES.map(async (s) => {
        const r = await fetch(`http://127.0.0.1:${services.ports[s]}/health`).catch((e: unknown) => e as Error);
        return r instanceof Error ? { service: s, status: 0, body: r.message } : { service: s, status: r.status, body: await r.text() };
      }),
    );
    const groups = await readGroups(kafka, prefix, topics);
    const { letters, unreadable } = await readDeadLetters(kafka, topics);
    const parked = await readParked(db);
    const trial = async (trialId: string): Promise<TrialSeen> => {
      const res = await get(`/trials/${encodeURIComponent(trialId)}/survival`);
      return {
        trialId,
        status: (await get(`/trials/${encodeURIComponent(trialId)}`)).status,
        survival: res.ok ? ((await res.json()) as Record<string, unknown>) : null,
        adtte: await adtte(get, trialId),
      };
    };
    const listedRes = await get('/trials');
    const observed: Observed = {
      positions,
      letters,
      unreadable,
      parked: parked.rows,
      parkTables: parked.tables,
      health,
      exited: services.exited(),
      groups,
      trials: { fuzz: await trial(plan.fuzz.trialId), twin: await trial(plan.twin.trialId) },
      listed: listedRes.ok ? ((await listedRes.json()) as Array<{ trialId: string }>).map((t) => t.trialId) : [],
      reviews: await Promise.all(reviewIds.map(async (reviewId) => ({ reviewId, status: await reviewStatus(reviewId) }))),
      ghosts: await Promise.all(plan.ghosts.map(async (g) => ({ trialId: g, status: (await get(`/trials/${encodeURIComponent(g)}`)).status }))),
    };
    o.log(`read back ${letters.length} dead letters, ${parked.rows.length} parked rows (tables: ${parked.tables.join(', ') || 'none'})`);
    const report = check(plan, observed);
    let http: HttpPhaseResult | null = null;
    if (o.http) {
      const t4 = performance.now();
      const people = [plan.fuzz, plan.twin].flatMap((t) => [...t.people.values()]);
      http = await runHttpPhase({
        ports: services.ports,
        pids: services.pids(),
        secret: SECRET,
        trialId: plan.fuzz.trialId,
        reviewId: reviewIds[0] ?? 'no-review',
        armLabels: [...ARMS],
        identifiers: people.flatMap((p) => [p.nhsNumber, p.familyName, p.dateOfBirth, p.postcode]),
        hugeLineBytes: o.http.hugeLineBytes,
        env: { KAFKA_BROKERS: o.brokers, DATABASE_URL: databaseUrl, TOPIC_PREFIX: prefix },
        kafka,
        producer,
        topics,
        logs,
        scratch: join(tmpdir(), `trial-followup-fuzz-http-${process.pid}`),
        log: o.log,
      });
      seconds.http = since(t4);
      report.failures.push(...http.failures);
      report.ok = report.failures.length === 0;
    }
    seconds.total = since(t0);
    return { plan, report, prefix, databaseUrl, seconds, http };
  } finally {
    await producer.disconnect().catch(() => undefined);
    await services.stop();
    await db.end().catch(() => undefined);
    await deleteTopics(
      kafka,
      specs.map((s) => s.topic),
    ).catch(() => undefined);
    // The services' consumer groups are this run's alone (named by its prefix): leave none behind.
    const admin = kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteGroups([`${prefix}linkage`, `${prefix}projector`]))
      .catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

async function adtte(get: (path: string) => Promise<Response>, trialId: string): Promise<Array<Record<string, string>>> {
  const res = await get(`/trials/${encodeURIComponent(trialId)}/adtte.csv`);
  if (!res.ok) return [];
  return parse(await res.text(), { columns: true }) as Array<Record<string, string>>;
}

async function waitFor(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(500);
  }
}

/** The report as printed: counts per category, the time taken, then each failure. */
export function formatResult(r: RunResult): string {
  const pad = (s: string | number, w: number) => String(s).padStart(w);
  const lines = [
    `${'category'.padEnd(27)}${pad('sent', 7)}${pad('dead-lettered', 15)}${pad('parked', 8)}${pad('applied', 9)}${pad('missing', 9)}`,
    ...r.report.counts.map(
      (c) =>
        `${c.category.padEnd(27)}${pad(c.sent, 7)}${pad(c.category === 'valid' ? '-' : c.deadLettered, 15)}${pad(c.category === 'valid' ? '-' : c.parked, 8)}${pad(c.category === 'valid' ? c.applied : '-', 9)}${pad(c.missing, 9)}`,
    ),
    ...(r.http
      ? [
          `http: ${r.http.probes} hostile requests (${Object.entries(r.http.statuses)
            .map(([k, v]) => `${v}× ${k}`)
            .join(
              ', ',
            )}), ${r.http.logLines} log lines grepped, ingest peak RSS ${r.http.ingestPeakRssMiB?.toFixed(0) ?? '?'} MiB, audit chain ${r.http.auditChain}, in ${r.seconds.http.toFixed(1)} s`,
        ]
      : []),
    `time: ${r.seconds.total.toFixed(1)} s in all (set-up ${r.seconds.setup.toFixed(1)} s, fuzz sent in ${r.seconds.publish.toFixed(1)} s, settled in ${r.seconds.settle.toFixed(1)} s)`,
    r.report.ok
      ? 'fuzz: every assertion held'
      : `fuzz: ${r.report.failures.length} assertion(s) failed (seed ${r.plan.options.seed}; topics ${r.prefix}*, database ${r.databaseUrl.replace(/^.*\//, '')}):`,
    ...r.report.failures.map((f) => `  - ${f}`),
  ];
  return lines.join('\n');
}

export const defaultLogDir = (root: string) => join(root, 'test-output', 'fuzz-logs');
