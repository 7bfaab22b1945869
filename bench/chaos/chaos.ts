// The chaos suite: the demo trial replayed once cleanly and once under faults on private
// infrastructure, with the DSMB's read-outs compared after every fault and at the end; and a
// scenario on a three-broker cluster that loses a broker during an ingest.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka } from 'kafkajs';
import { signToken } from '@trial/auth';
import { dlqOf, topicNames } from '@trial/contracts';
import { createKafka } from '@trial/messaging';
import { Step } from '../../demo/manifest';
import { Readouts, differences, readouts, waitIdentical, waitSettled } from './compare';
import { diskFullErrors, fillDisk, freeDisk, killInsideTransaction, probeDiskFull, sleep } from './faults';
import { PrivateInfra, SmallDisk, createDatabase, smallDisk, startPrivateInfra } from './infra';
import { IngestKill, Replay, Tokens, readManifest, retry } from './replay';
import { Fleet, ServiceKind } from './services';

export type Fault =
  | { kind: 'kill-in-transaction'; service: 'linkage' | 'projector' }
  | { kind: 'kill'; services: ServiceKind[] }
  | { kind: 'kill-upload' }
  | { kind: 'ingest-kill'; how: Exclude<IngestKill, 'none'> }
  | { kind: 'broker-restart' }
  | { kind: 'broker-node-kill'; node: number; downMs: number }
  | { kind: 'postgres-restart' }
  | { kind: 'disk-full'; holdMs: number }
  | { kind: 'stop-linkage'; ms: number };

export interface Planned {
  step: number;
  fault: Fault;
}

export interface Figure {
  run: string;
  step: number;
  fault: string;
  detail: string;
  /** From the kill (instantaneous faults) or from the end of the fault (disk, stop, restarts) to read-outs identical to the clean run's. */
  consistentMs: number | null;
  /** The clean run's time from the start of the same step to a settled pipeline, for scale. */
  cleanMs: number | null;
}

export interface ChaosOptions {
  form: 'short' | 'full';
  /** Brokers of the main chaos run's cluster. */
  brokers: 1 | 3;
  /** Also run the three-broker scenario (the full form always does). */
  threeBroker: boolean;
  /** Skip the main chaos run (`three`: clean and three-broker runs only) or the three-broker one. */
  only?: 'chaos' | 'three';
  /** Leave the private infrastructure running at the end, to look at it. */
  keep?: boolean;
  dir: string;
  log: (line: string) => void;
}

export interface ChaosResult {
  figures: Figure[];
  failures: string[];
  notes: string[];
}

const describe = (f: Fault): string => {
  switch (f.kind) {
    case 'kill-in-transaction':
      return `kill -9 ${f.service} inside a transaction`;
    case 'kill':
      return `kill -9 ${f.services.join(' + ')}`;
    case 'kill-upload':
      return 'kill -9 the ingest service during an upload';
    case 'ingest-kill':
      return `kill -9 followup ingest (${f.how}), re-run`;
    case 'broker-restart':
      return 'kill -9 and restart the broker(s)';
    case 'broker-node-kill':
      return `kill -9 broker ${f.node}, back after ${f.downMs / 1000} s`;
    case 'postgres-restart':
      return 'restart Postgres (immediate stop, 2 s down)';
    case 'disk-full':
      return `database disk full for ${f.holdMs / 1000} s`;
    case 'stop-linkage':
      return `SIGSTOP linkage#1 (consumer and relay) for ${f.ms / 1000} s`;
    default: {
      const never: never = f;
      return String(never);
    }
  }
};

/** Step indices of the manifest's extracts by source, so plans name "the 3rd ONS extract". */
function extractIndex(steps: Step[]) {
  const ons: number[] = [],
    nrs: number[] = [];
  steps.forEach((s, i) => {
    if (s.kind === 'extract') (s.source === 'ONS' ? ons : nrs).push(i);
  });
  return { ons, nrs };
}

/** The faults of each form, on the steps they interrupt; and how many steps the form replays. */
export function plan(form: 'short' | 'full', steps: Step[]): { steps: number; faults: Planned[] } {
  const { ons, nrs } = extractIndex(steps);
  if (form === 'short') {
    const faults: Planned[] = [
      { step: ons[1], fault: { kind: 'kill-in-transaction', service: 'linkage' } },
      { step: nrs[1], fault: { kind: 'kill-in-transaction', service: 'projector' } },
      { step: ons[2], fault: { kind: 'ingest-kill', how: 'mid-read' } },
      { step: ons[3], fault: { kind: 'disk-full', holdMs: 12_000 } },
    ];
    return { steps: ons[3] + 2, faults };
  }
  const faults: Planned[] = [
    { step: ons[1], fault: { kind: 'kill-in-transaction', service: 'linkage' } },
    { step: nrs[1], fault: { kind: 'kill-in-transaction', service: 'projector' } },
    { step: ons[2], fault: { kind: 'ingest-kill', how: 'mid-read' } },
    { step: nrs[2], fault: { kind: 'kill-upload' } },
    { step: ons[3], fault: { kind: 'kill', services: ['api'] } },
    { step: ons[4], fault: { kind: 'broker-restart' } },
    { step: nrs[3], fault: { kind: 'kill-in-transaction', service: 'linkage' } },
    { step: ons[5], fault: { kind: 'postgres-restart' } },
    { step: ons[6], fault: { kind: 'disk-full', holdMs: 20_000 } },
    { step: nrs[5], fault: { kind: 'stop-linkage', ms: 8_000 } },
    { step: ons[8], fault: { kind: 'ingest-kill', how: 'after-first-ack' } },
    { step: ons[9], fault: { kind: 'kill-in-transaction', service: 'projector' } },
    { step: nrs[7], fault: { kind: 'kill', services: ['linkage', 'projector'] } },
    { step: ons[11], fault: { kind: 'kill', services: ['ingest', 'api'] } },
    { step: ons[13], fault: { kind: 'kill-in-transaction', service: 'linkage' } },
  ];
  return { steps: steps.length, faults };
}

/** The three-broker scenario: a broker lost during an ONS ingest, another during an upload. */
export function threeBrokerPlan(steps: Step[]): Planned[] {
  const { ons, nrs } = extractIndex(steps);
  return [
    { step: ons[3], fault: { kind: 'broker-node-kill', node: 2, downMs: 10_000 } },
    { step: nrs[4], fault: { kind: 'broker-node-kill', node: 3, downMs: 10_000 } },
  ];
}

interface RunContext {
  name: string;
  infra: PrivateInfra;
  dbUrl: string;
  prefix: string;
  fleet: Fleet;
  kafka: Kafka;
  replay: Replay;
  tokens: Tokens;
  log: (l: string) => void;
}

function tokensFor(secret: string): Tokens {
  const mint = (role: 'dsmb' | 'reviewer' | 'ingest') => signToken(secret, { sub: `chaos-${role}`, role, ttlSeconds: 8 * 3600 });
  return { dsmb: mint('dsmb'), reviewer: mint('reviewer'), ingest: mint('ingest') };
}

async function openRun(
  name: string,
  infra: PrivateInfra,
  dbUrl: string,
  secret: string,
  dir: string,
  instances: number,
  log: (l: string) => void,
): Promise<RunContext> {
  const prefix = `${name}-`;
  const logDir = join(dir, 'logs', name);
  mkdirSync(logDir, { recursive: true });
  const fleet = new Fleet(
    {
      KAFKA_BROKERS: infra.brokers,
      DATABASE_URL: dbUrl,
      MIGRATION_DATABASE_URL: '',
      TOPIC_PREFIX: prefix,
      AUTH_SECRET: secret,
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
    },
    logDir,
  );
  // Linkage first: it runs the migrations the others wait for.
  const kinds: ServiceKind[] = ['linkage', 'projector', 'api', 'ingest'];
  for (const k of kinds) await fleet.start(k, 1);
  for (let n = 2; n <= instances; n++) {
    await fleet.start('linkage', n);
    await fleet.start('projector', n);
  }
  await Promise.all([...fleet.instances.keys()].map((i) => fleet.healthy(i, 180_000)));
  const kafka = createKafka(infra.brokers, `chaos-${name}`, () => undefined);
  const tokens = tokensFor(secret);
  const api = () => fleet.url('api#1');
  const replay = new Replay(readManifest(), {
    kafka,
    topics: topicNames(prefix),
    brokers: infra.brokers,
    topicPrefix: prefix,
    dbUrl,
    fleet,
    tokens,
    workDir: logDir,
    log,
    api,
  });
  log(`${name}: ${[...fleet.instances.keys()].join(', ')} up (logs in ${logDir})`);
  return { name, infra, dbUrl, prefix, fleet, kafka, replay, tokens, log };
}

async function closeRun(r: RunContext): Promise<void> {
  await r.replay.close();
  await r.fleet.stopAll();
}

/** The clean reference: every step, settled and snapshotted where a fault will be compared. */
async function cleanRun(r: RunContext, steps: Step[], snapshotAt: Set<number>) {
  const snapshots = new Map<number, Readouts>();
  const cleanMs = new Map<number, number>();
  const t0 = Date.now();
  for (let i = 0; i < steps.length; i++) {
    const s0 = Date.now();
    await r.replay.step(steps[i]);
    if (snapshotAt.has(i)) {
      await waitSettled(r.kafka, topicNames(r.prefix), r.dbUrl, 300_000);
      cleanMs.set(i, Date.now() - s0);
      snapshots.set(i, await readouts(r.fleet.url('api#1'), r.replay.manifest.trialId, r.tokens.dsmb));
    }
  }
  await waitSettled(r.kafka, topicNames(r.prefix), r.dbUrl, 300_000);
  const final = await readouts(r.fleet.url('api#1'), r.replay.manifest.trialId, r.tokens.dsmb);
  r.log(`clean: ${steps.length} steps in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return { snapshots, cleanMs, final };
}

const restartLater = async (fleet: Fleet, name: string) => {
  await sleep(Math.floor(Math.random() * 1000));
  const [kind, n] = name.split('#');
  await fleet.start(kind as ServiceKind, Number(n));
};

/**
 * Runs one fault around one step; returns when the fault is over (killed services restarted,
 * disk freed, broker back) with the instant time to consistency is measured from.
 */
async function faultAround(r: RunContext, step: Step, fault: Fault, disk: SmallDisk | null): Promise<{ since: number; detail: string }> {
  const { fleet } = r;
  switch (fault.kind) {
    case 'kill-in-transaction': {
      const watcher = killInsideTransaction(fleet, r.dbUrl, r.infra.pgPort, fault.service, 60_000);
      await r.replay.step(step);
      const k = await watcher;
      if (!k) {
        const name = [...fleet.instances.values()].find((i) => i.kind === fault.service && fleet.running(i.name))?.name ?? `${fault.service}#1`;
        const since = Date.now();
        await fleet.kill(name);
        await restartLater(fleet, name);
        return { since, detail: `no open transaction seen in 60 s; killed ${name} outside one` };
      }
      const since = Date.now();
      await restartLater(fleet, k.instance);
      return { since, detail: `${k.instance} killed ${k.state} (transaction open ${k.openMs} ms: ${k.query})` };
    }
    case 'kill': {
      const stepDone = r.replay.step(step);
      await sleep(Math.floor(Math.random() * 1500));
      const since = Date.now();
      const names = fault.services
        .map((k) => [...fleet.instances.values()].filter((i) => i.kind === k && fleet.running(i.name)))
        .map((xs) => xs[Math.floor(Math.random() * xs.length)]?.name)
        .filter((n): n is string => !!n);
      for (const n of names) await fleet.kill(n);
      await Promise.all(names.map((n) => restartLater(fleet, n)));
      await stepDone;
      return { since, detail: `killed ${names.join(', ')}` };
    }
    case 'kill-upload': {
      const since = Date.now();
      await r.replay.step(step, 'none', true);
      return { since, detail: r.replay.ingests.killed[r.replay.ingests.killed.length - 1] ?? '' };
    }
    case 'ingest-kill': {
      const since = Date.now();
      await r.replay.step(step, fault.how);
      return { since, detail: r.replay.ingests.killed[r.replay.ingests.killed.length - 1] ?? '' };
    }
    case 'broker-restart': {
      const stepDone = r.replay.step(step);
      await sleep(300);
      for (const n of r.infra.nodes) await r.infra.killBroker(n.id);
      await sleep(2000);
      await r.infra.startBrokers();
      const since = Date.now();
      await stepDone;
      return { since, detail: `${r.infra.nodes.length} broker(s) killed, restarted` };
    }
    case 'broker-node-kill': {
      const stepDone = r.replay.step(step);
      await sleep(200);
      const pid = await r.infra.killBroker(fault.node);
      await sleep(fault.downMs);
      await r.infra.startBrokers();
      const since = Date.now();
      await stepDone;
      return { since, detail: `broker ${fault.node} (pid ${pid}) killed during the step, back after ${fault.downMs / 1000} s` };
    }
    case 'postgres-restart': {
      const stepDone = r.replay.step(step);
      await sleep(300);
      await r.infra.restartPostgres(2000);
      const since = Date.now();
      await stepDone;
      return { since, detail: 'pg_ctl stop -m immediate; start' };
    }
    case 'disk-full': {
      if (!disk) throw new Error('disk-full needs the small disk');
      const before = diskFullErrors(r.infra.pgData);
      const fill = fillDisk(disk.mount);
      const code = await probeDiskFull(r.dbUrl);
      const t = Date.now();
      await r.replay.step(step);
      await sleep(Math.max(0, fault.holdMs - (Date.now() - t)));
      freeDisk(fill.file);
      const since = Date.now();
      return {
        since,
        detail: `${(fill.bytes / 2 ** 20).toFixed(0)} MiB filler; probe write got ${code ?? 'no error'}; ${diskFullErrors(r.infra.pgData) - before} "No space left on device" errors in the server log`,
      };
    }
    case 'stop-linkage': {
      const stepDone = r.replay.step(step);
      await sleep(200);
      fleet.signal('linkage#1', 'SIGSTOP');
      await sleep(fault.ms);
      fleet.signal('linkage#1', 'SIGCONT');
      const since = Date.now();
      await stepDone;
      return { since, detail: `linkage#1 stopped ${fault.ms / 1000} s${fleet.instances.has('linkage#2') ? ' while linkage#2 ran' : ''}` };
    }
    default: {
      const never: never = fault;
      throw new Error(`unknown fault ${JSON.stringify(never)}`);
    }
  }
}

/** The reliability target: a crashed consumer's stage is consistent again within 15 s of its kill -9. */
export const CONSUMER_KILL_TARGET_MS = 15_000;

async function faultyRun(
  r: RunContext,
  steps: Step[],
  faults: Planned[],
  clean: Awaited<ReturnType<typeof cleanRun>>,
  disk: SmallDisk | null,
  out: ChaosResult,
  timeoutMs: number,
): Promise<void> {
  const at = new Map(faults.map((p) => [p.step, p.fault]));
  const trialId = r.replay.manifest.trialId;
  for (let i = 0; i < steps.length; i++) {
    const fault = at.get(i);
    if (!fault) {
      await r.replay.step(steps[i]);
      continue;
    }
    r.log(
      `${r.name}: step ${i} (${steps[i].kind}${steps[i].kind === 'extract' ? ` ${(steps[i] as { file: string }).file}` : ''}): ${describe(fault)}`,
    );
    const { since, detail } = await faultAround(r, steps[i], fault, disk);
    const want = clean.snapshots.get(i);
    if (!want) throw new Error(`no clean snapshot for step ${i}`);
    const res = await waitIdentical(() => r.fleet.url('api#1'), trialId, r.tokens.dsmb, want, timeoutMs, since);
    const fig: Figure = {
      run: r.name,
      step: i,
      fault: describe(fault),
      detail,
      consistentMs: res.ok ? res.ms : null,
      cleanMs: clean.cleanMs.get(i) ?? null,
    };
    out.figures.push(fig);
    r.log(`  ${detail}`);
    if (res.ok) {
      r.log(`  consistent ${(res.ms / 1000).toFixed(1)} s after (clean run settled that step in ${((fig.cleanMs ?? 0) / 1000).toFixed(1)} s)`);
      const consumerKill =
        fault.kind === 'kill-in-transaction' || (fault.kind === 'kill' && fault.services.some((k) => k === 'linkage' || k === 'projector'));
      if (consumerKill && res.ms > CONSUMER_KILL_TARGET_MS) {
        out.failures.push(
          `${r.name} step ${i} (${describe(fault)}): consistent only after ${(res.ms / 1000).toFixed(1)} s, over the ${CONSUMER_KILL_TARGET_MS / 1000} s target for a killed consumer`,
        );
      }
    } else {
      out.failures.push(
        `${r.name} step ${i} (${describe(fault)}): not identical to the clean run within ${timeoutMs / 1000} s: ${res.diffs.join('; ')}`,
      );
      r.log(`  NOT consistent within ${timeoutMs / 1000} s: ${res.diffs.join('; ')}`);
      await waitSettled(r.kafka, topicNames(r.prefix), r.dbUrl, 120_000).catch((e: Error) => r.log(`  ${e.message}`));
    }
  }
  await waitSettled(r.kafka, topicNames(r.prefix), r.dbUrl, 300_000).catch((e: Error) => out.failures.push(`${r.name}: ${e.message}`));
  const got = await readouts(r.fleet.url('api#1'), trialId, r.tokens.dsmb);
  const diffs = differences(clean.final, got);
  if (diffs.length) out.failures.push(`${r.name}: final read-outs differ from the clean run's: ${diffs.join('; ')}`);
  else r.log(`${r.name}: final survival, interim and ADTTE identical to the clean run's`);
  for (const name of r.fleet.instances.keys()) {
    const res = await fetch(`${r.fleet.url(name)}/health`, { signal: AbortSignal.timeout(5000) }).catch(() => null);
    if (!res?.ok) out.failures.push(`${r.name}: ${name} /health not ok at the end (HTTP ${res?.status ?? 'unreachable'})`);
  }
}

/** Every message on a topic, counted in all and as distinct key+value pairs. */
export async function topicCensus(kafka: Kafka, topic: string): Promise<{ total: number; distinct: number }> {
  // Leaders may be moving (a broker just came back): ask until an answer comes.
  const highs = await retry(
    `offsets of ${topic}`,
    () => undefined,
    async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        return await admin.fetchTopicOffsets(topic);
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    60_000,
  );
  const want = highs.reduce((s, p) => s + Number(p.high) - Number(p.low), 0);
  const consumer = kafka.consumer({ groupId: `chaos-census-${randomBytes(4).toString('hex')}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen = new Set<string>();
  let total = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`census of ${topic}: ${total} of ${want} messages read in 60 s`)), 60_000);
    if (want === 0) {
      clearTimeout(timer);
      resolve();
      return;
    }
    void consumer
      .run({
        eachMessage: async ({ message }) => {
          total++;
          seen.add(`${message.key?.toString() ?? ''}|${message.value?.toString() ?? ''}`);
          if (total >= want) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return { total, distinct: seen.size };
}

interface LogCensus {
  enrollments: { total: number; distinct: number };
  notifications: { total: number; distinct: number };
  text: string;
}

/** The input logs a run wrote: every enrolment and notification, in all and distinct. */
async function logCensus(kafka: Kafka, prefix: string): Promise<LogCensus> {
  const names = topicNames(prefix);
  const enrollments = await topicCensus(kafka, names.enrollments);
  const notifications = await topicCensus(kafka, names.notifications);
  return {
    enrollments,
    notifications,
    text: `${enrollments.total} messages on trial.enrollments (${enrollments.distinct} distinct), ${notifications.total} on registry.notifications (${notifications.distinct} distinct)`,
  };
}

/** Messages on each DLQ of a prefix, e.g. `notifications 12, outcomes 0, ...`. */
async function dlqCensus(kafka: Kafka, prefix: string): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const names = topicNames(prefix);
    const parts: string[] = [];
    for (const logical of ['enrollments', 'notifications', 'outcomes', 'reviews'] as const) {
      const offsets = await retry(
        'dlq offsets',
        () => undefined,
        () => admin.fetchTopicOffsets(dlqOf(names[logical])),
        30_000,
      ).catch(() => []);
      parts.push(`${logical} ${offsets.reduce((s, p) => s + Number(p.high) - Number(p.low), 0)}`);
    }
    return parts.join(', ');
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const out: ChaosResult = { figures: [], failures: [], notes: [] };
  const manifest = readManifest();
  const { steps: count, faults } = plan(o.form, manifest.steps);
  const steps = manifest.steps.slice(0, count);
  const threeFaults = o.form === 'full' || o.threeBroker ? threeBrokerPlan(steps).filter((p) => p.step < count) : [];
  const secret = randomBytes(32).toString('hex');
  // How long a fault may take to heal: the short form has a test's budget to keep.
  const perFault = o.form === 'short' ? 60_000 : 180_000;
  const infra = await startPrivateInfra({ dir: join(o.dir, `infra-main-${o.brokers}`), brokers: o.brokers, log: o.log });
  let disk: SmallDisk | null = null;
  let three: PrivateInfra | null = null;
  try {
    disk = await smallDisk(infra, o.form === 'short' ? 96 : 160);
    const cleanDb = await createDatabase(infra, 'clean');
    const clean = await (async () => {
      const r = await openRun('clean', infra, cleanDb, secret, o.dir, 1, o.log);
      try {
        return await cleanRun(r, steps, new Set([...faults, ...threeFaults].map((p) => p.step)));
      } finally {
        await closeRun(r);
      }
    })();
    const census = createKafka(infra.brokers, 'chaos-census', () => undefined);
    const cleanLog = await logCensus(census, 'clean-');
    out.notes.push(`clean run: ${cleanLog.text}; dead letters: ${await dlqCensus(census, 'clean-')}`);
    const compareLog = (run: string, got: LogCensus, reruns: number) => {
      out.notes.push(`${run}: ${got.text}; followup ingest re-runs ${reruns}`);
      for (const k of ['enrollments', 'notifications'] as const) {
        if (got[k].distinct < cleanLog[k].distinct)
          out.failures.push(`${run}: ${got[k].distinct} distinct messages on ${k} vs ${cleanLog[k].distinct} in the clean run (lost)`);
      }
      if (reruns === 0 && got.notifications.total > got.notifications.distinct)
        out.failures.push(`${run}: ${got.notifications.total - got.notifications.distinct} notifications doubled on the topic with no ingest re-run`);
    };
    const onsSteps = steps.filter((s) => s.kind === 'extract' && s.source === 'ONS').length;

    if (o.only !== 'three') {
      const chaosDb = await createDatabase(infra, 'chaos', disk.tablespace);
      const r = await openRun('chaos', infra, chaosDb, secret, o.dir, o.form === 'full' ? 2 : 1, o.log);
      try {
        await faultyRun(r, steps, faults, clean, disk, out, perFault);
        out.notes.push(`chaos run: followup ingest started ${r.replay.ingests.attempts} times; ${r.replay.ingests.killed.join('; ')}`);
        out.notes.push(`chaos run: dead letters: ${await dlqCensus(census, 'chaos-')} (re-run ingests re-send their rejected rows)`);
        compareLog('chaos run', await logCensus(census, 'chaos-'), r.replay.ingests.attempts - onsSteps);
      } finally {
        await closeRun(r);
      }
      const kills = out.figures
        .filter((f) => f.run === 'chaos' && /^kill -9 (linkage|projector|api|ingest|the ingest)/.test(f.fault))
        .reduce((s, f) => s + (/\+/.test(f.fault) ? 2 : 1), 0);
      out.notes.push(
        `chaos run: ${kills} kill -9s of services, ${out.figures.filter((f) => /inside a transaction/.test(f.fault) && /killed (active|idle)/.test(f.detail)).length} of them inside an open transaction`,
      );
    }

    if (threeFaults.length && o.only !== 'chaos') {
      three = await startPrivateInfra({ dir: join(o.dir, 'infra-three'), brokers: 3, log: o.log });
      const db = await createDatabase(three, 'three');
      const t = await openRun('three', three, db, secret, o.dir, 1, o.log);
      try {
        await faultyRun(t, steps, threeFaults, clean, null, out, perFault);
        compareLog('three brokers', await logCensus(t.kafka, 'three-'), t.replay.ingests.attempts - onsSteps);
      } finally {
        await closeRun(t);
      }
    }
  } finally {
    if (o.keep) o.log(`--keep: private infrastructure left running in ${o.dir}`);
    else {
      await three?.stop();
      await infra.stop();
      disk?.unmount();
    }
  }
  return out;
}

export function formatFigures(r: ChaosResult): string {
  const lines = ['', "time to consistency after each fault (read-outs identical to the clean run's):", ''];
  lines.push(`  ${'run'.padEnd(6)} ${'step'.padStart(4)}  ${'fault'.padEnd(58)} ${'consistent'.padStart(10)}  ${'clean step'.padStart(10)}`);
  for (const f of r.figures) {
    const c = f.consistentMs === null ? 'NEVER' : `${(f.consistentMs / 1000).toFixed(1)} s`;
    const b = f.cleanMs === null ? '' : `${(f.cleanMs / 1000).toFixed(1)} s`;
    lines.push(`  ${f.run.padEnd(6)} ${String(f.step).padStart(4)}  ${f.fault.padEnd(58)} ${c.padStart(10)}  ${b.padStart(10)}`);
  }
  lines.push('', ...r.notes.map((n) => `  ${n}`), '');
  lines.push(r.failures.length ? `FAILED (${r.failures.length}):` : 'all assertions held');
  for (const f of r.failures) lines.push(`  - ${f}`);
  return lines.join('\n');
}
