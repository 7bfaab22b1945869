// `npm run bench:pipeline`: latency from publish to read-model update at a steady 1,000 and
// then 5,000 events/s (BENCH_RATES) through the real broker, the compiled projector and Postgres; then the time to
// rebuild the read models (`followup replay`) from 1,000,000 events. Uses its own database
// (trial_followup_bench, recreated) and a private topic prefix, so it disturbs nothing else.
//
// Latency: the bench assigns partitions itself, so it knows each message's (partition, offset)
// from the send's base offsets; the projector NOTIFYs after each commit with the batch's
// partitions and last offsets (every batch folded into that snapshot write); every pending
// message at or below one counts as applied then, i.e. when the snapshot the API serves
// includes it.
// That is publish -> committed read-out -> notification received: an upper bound.
import { spawn } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, Producer } from 'kafkajs';
import { Client } from 'pg';
import { topicNames, topicSpecs, type TopicNames } from '@trial/contracts';
import { deleteTopics, ensureTopics } from '@trial/messaging';
import { markingProfiler, READOUT_CHANNEL, rebuild, streamLog, type ReadoutChanged } from '@trial/projection';
import { createDataSource, migrate } from '@trial/storage';
import { CpuMeter, cpuSeconds, findProcess, findProcesses } from './cpu';
import { TRIALS, Workload } from './workload';
import { freePort, instanceId, waitHealthy } from '../apps/cli/src/supervisor';

const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
// A superuser URL (pg.env's DATABASE_URL names the least-privilege app role, which creates nothing).
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/trial_followup';
// BENCH_DB: another database name, so two benches on one server do not drop each other's.
const DB = process.env.BENCH_DB ?? 'trial_followup_bench';
const DB_URL = ADMIN_URL.replace(/\/[^/]+$/, `/${DB}`);
// Each rate in turn, with the same projector: issue 13's targets are p99 < 100 ms at 1,000 and < 250 ms at 5,000 events/s.
const RATES = (process.env.BENCH_RATES ?? process.env.BENCH_RATE ?? '1000,5000').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WARMUP_SECONDS = 5;
const REBUILD_EVENTS = Number(process.env.BENCH_REBUILD_EVENTS ?? 1_000_000);
const PARTITIONS = 6;
const SEND_CHUNK = 1000;
const ROOT = join(__dirname, '..', '..');

const kafka = new Kafka({ clientId: 'bench-pipeline', brokers: BROKERS.split(','), logLevel: logLevel.NOTHING });

function partitionOf(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
  return Math.abs(h) % PARTITIONS;
}

async function sendAll(producer: Producer, topics: TopicNames, items: ReturnType<Workload['next']>[]) {
  const out: Array<{ topic: string; partition: number; offset: bigint }> = [];
  for (const logical of ['enrollments', 'outcomes'] as const) {
    const mine = items.filter((m) => m.topic === logical);
    if (!mine.length) continue;
    const all = mine.map((m) => ({ key: m.key, value: JSON.stringify(m.value), partition: partitionOf(m.key) }));
    // In requests of at most SEND_CHUNK messages: a producer that fell behind at a high rate
    // would otherwise send one request above the broker's message.max.bytes.
    for (let i = 0; i < all.length; i += SEND_CHUNK) {
      const messages = all.slice(i, i + SEND_CHUNK);
      const meta = await producer.send({ topic: topics[logical], acks: -1, messages });
      const next = new Map(meta.map((r) => [r.partition, BigInt(r.baseOffset ?? '0')]));
      for (const m of messages) {
        const o = next.get(m.partition)!;
        next.set(m.partition, o + 1n);
        out.push({ topic: topics[logical], partition: m.partition, offset: o });
      }
    }
  }
  return out;
}

const loadAvg = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main(): Promise<void> {
  const cpu = cpus();
  console.log(
    `machine: ${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}` +
      `; load average ${loadAvg()} (1, 5, 15 min)`,
  );
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${DB} with (force)`);
  await admin.query(`create database ${DB}`);
  await admin.end();
  const prefix = `bench-${Date.now().toString(36)}-`;
  const topics = topicNames(prefix);
  const specs = topicSpecs(topics, PARTITIONS);
  await ensureTopics(kafka, specs);
  const ds = await createDataSource(DB_URL, { poolSize: 4 }).initialize();
  await migrate(ds);

  const port = await freePort();
  const instance = instanceId('projector');
  const projector = spawn(process.execPath, [join(ROOT, 'dist/apps/projector/src/main.js')], {
    // PROJECTOR_CONCURRENCY: every partition of both topics handed over at once, so one fetch's batches share one
    // transaction (group-commit.ts), as docker-compose runs it; the code's default stays 6.
    env: {
      PROJECTOR_CONCURRENCY: String(2 * PARTITIONS),
      ...process.env,
      DATABASE_URL: DB_URL,
      MIGRATION_DATABASE_URL: '',
      KAFKA_BROKERS: BROKERS,
      TOPIC_PREFIX: prefix,
      PROJECTOR_PORT: String(port),
      INSTANCE_ID: instance,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const stopProjector = () =>
    new Promise<void>((done) => {
      if (projector.exitCode !== null) return done();
      projector.once('exit', () => done());
      projector.kill('SIGTERM');
    });
  try {
    await waitHealthy({ name: 'projector', port, child: projector, instance, logFile: 'the output above' }, 60_000);

    const listen = new Client({ connectionString: DB_URL });
    await listen.connect();
    const pending = new Map<string, Array<{ offset: bigint; sentAt: number; measured: boolean }>>();
    const latencies: number[] = [];
    listen.on('notification', (n) => {
      const at = performance.now();
      const c = JSON.parse(n.payload ?? '{}') as ReadoutChanged;
      const causes =
        c.causes ??
        (c.topic === null || c.partition === null || c.lastOffset === null
          ? []
          : [{ topic: c.topic, partition: c.partition, lastOffset: c.lastOffset }]);
      for (const cause of causes) {
        const list = pending.get(`${cause.topic}:${cause.partition}`);
        if (!list) continue;
        const last = BigInt(cause.lastOffset);
        let k = 0;
        while (k < list.length && list[k].offset <= last) {
          if (list[k].measured) latencies.push(at - list[k].sentAt);
          k++;
        }
        list.splice(0, k);
      }
    });
    await listen.query(`listen ${READOUT_CHANNEL}`);

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const load = new Workload(prefix.replace(/-$/, ''));
    await producer.send({
      topic: topics.enrollments,
      acks: -1,
      messages: load.registrations().map((e) => ({ key: `${e.trialId}:`, value: JSON.stringify(e) })),
    });
    await producer.send({
      topic: topics.outcomes,
      acks: -1,
      messages: [
        {
          key: 'registry:ONS',
          value: JSON.stringify({
            v: 1,
            type: 'RegistryExtractCompleted',
            eventId: `${prefix}ons`,
            occurredAt: '2012-01-01T00:00:00Z',
            source: 'ONS',
            completeUpTo: '2011-12-31',
          }),
        },
      ],
    });

    // Steady rate: every 10 ms, the events due by now (so a slow send is caught up, not dropped).
    let total = 0;
    for (const rate of RATES) {
      latencies.length = 0;
      const n = rate * SECONDS;
      const cpu0 = projector.pid === undefined ? null : cpuSeconds(projector.pid);
      const start = performance.now();
      let sent = 0;
      while (sent < n) {
        const due = Math.min(n, Math.floor(((performance.now() - start) / 1000) * rate));
        if (due > sent) {
          const items = Array.from({ length: due - sent }, () => load.next());
          const sentAt = performance.now();
          const measured = sentAt - start > WARMUP_SECONDS * 1000;
          for (const m of await sendAll(producer, topics, items)) {
            const k = `${m.topic}:${m.partition}`;
            const list = pending.get(k) ?? [];
            list.push({ offset: m.offset, sentAt, measured });
            pending.set(k, list);
          }
          sent = due;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      const elapsed = (performance.now() - start) / 1000;
      const deadline = Date.now() + 60_000;
      while ([...pending.values()].some((l) => l.length) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const cpu1 = projector.pid === undefined ? null : cpuSeconds(projector.pid);
      const unmatched = [...pending.values()].reduce((s, l) => s + l.length, 0);
      pending.clear();
      total += n;
      const sorted = latencies.sort((x, y) => x - y);
      console.log(
        `latency publish -> read model (committed + NOTIFY received) at ${rate} events/s: ${n} events in ${elapsed.toFixed(1)} s` +
          ` = ${(n / elapsed).toFixed(0)} events/s, ${TRIALS} trials, measured ${sorted.length} after ${WARMUP_SECONDS} s warm-up` +
          `${unmatched ? `, ${unmatched} never confirmed` : ''}; load average now ${loadAvg()}:`,
      );
      console.log(
        `  p50 ${pct(sorted, 50).toFixed(1)} ms   p90 ${pct(sorted, 90).toFixed(1)} ms   p99 ${pct(sorted, 99).toFixed(1)} ms` +
          `   max ${sorted[sorted.length - 1].toFixed(1)} ms` +
          (cpu0 !== null && cpu1 !== null ? `   projector CPU ${(cpu1 - cpu0).toFixed(1)} s` : ''),
      );
    }
    await listen.end();
    await stopProjector();

    // Rebuild: fill the log up to REBUILD_EVENTS, then time `followup replay` over all of it.
    const have = total + TRIALS + 1;
    const t0 = performance.now();
    for (let n = have; n < REBUILD_EVENTS;) {
      const k = Math.min(10_000, REBUILD_EVENTS - n);
      await sendAll(
        producer,
        topics,
        Array.from({ length: k }, () => load.next()),
      );
      n += k;
    }
    console.log(
      `published ${Math.max(0, REBUILD_EVENTS - have)} more events in ${((performance.now() - t0) / 1000).toFixed(1)} s (log now ${Math.max(REBUILD_EVENTS, have)} events)`,
    );
    await producer.disconnect();
    let readDone = 0;
    const phases: string[] = [];
    // The replay's CPU in all: this process (both threads), this database's Postgres backends with
    // the server's writers (its WAL and dirty pages are written there), and the broker.
    const meter = new CpuMeter();
    // (A backend first seen at the end was opened by the replay: it counts from its start.)
    const sampleOthers = (fromZero: boolean) => {
      for (const needle of [` ${DB} `, ': checkpointer', ': background writer', ': walwriter']) {
        for (const pid of findProcesses(needle)) meter.sample('postgres', pid, fromZero);
      }
      meter.sample('broker', findProcess('kafka.Kafka'));
    };
    sampleOthers(false);
    const c0 = process.cpuUsage();
    const r0 = performance.now();
    const read = streamLog(kafka, topics);
    const report = await rebuild(
      ds,
      async (take) => {
        const end = await read(take);
        readDone = performance.now();
        return end;
      },
      { now: () => new Date().toISOString(), profiler: markingProfiler((name, ms) => phases.push(`${name} ${(ms / 1000).toFixed(1)} s`)) },
    );
    const r1 = performance.now();
    const c1 = process.cpuUsage(c0);
    sampleOthers(true);
    const others = meter.totals();
    const own = (c1.user + c1.system) / 1e6;
    const all = own + (others.get('postgres') ?? 0) + (others.get('broker') ?? 0);
    console.log(
      `rebuild (followup replay) of ${report.eventsRead} events, ${report.patients} patients, ${report.trials} trials: ${((r1 - r0) / 1000).toFixed(1)} s` +
        ` (read, decode and fold the log ${((readDone - r0) / 1000).toFixed(1)} s, write ${((r1 - readDone) / 1000).toFixed(1)} s); ${(report.eventsRead / ((r1 - r0) / 1000)).toFixed(0)} events/s` +
        `; CPU ${all.toFixed(1)} s in all (this process ${own.toFixed(1)}, Postgres ${(others.get('postgres') ?? 0).toFixed(1)}, broker ${(others.get('broker') ?? 0).toFixed(1)}),` +
        ` so at least ${(all / cpus().length).toFixed(1)} s on ${cpus().length} cores however it is overlapped; ${phases.join(', ')}`,
    );
  } finally {
    await stopProjector();
    await ds.destroy();
    await deleteTopics(
      kafka,
      specs.map((s) => s.topic),
    );
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:pipeline: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
