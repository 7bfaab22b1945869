// `npm run bench:ingest [-- ROWS] [--runs N] [--mode thread|main]`: ingest throughput through
// the real broker. Generates a valid ONS extract of ROWS rows (default 1,000,000; seeded, so
// every run is the same file) and streams it N times (default 3) with @trial/ingest into fresh
// private topics: `thread` (the default) publishes from a worker thread as `followup ingest`
// and POST /registry/extracts do; `main` through a producer on the main thread, as the demo
// does. Prints each run's rows/s, its CPU time (user + system, all threads) and the CPU time
// every other process used meanwhile (the broker's 1-2 s included; more means the figures are
// a busy machine's), their medians, and the machine. Target: >= 20,000 rows/s.
import { createReadStream, createWriteStream, readFileSync, statSync, unlinkSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, totalmem, tmpdir, type as osType, release } from 'node:os';
import { join } from 'node:path';
import { topicNames, topicSpecs } from '@trial/contracts';
import { IngestSummary, ingestExtract } from '@trial/ingest';
import { modulus11CheckDigit } from '@trial/linkage';
import { createKafka, createProducer, deleteTopics, ensureTopics } from '@trial/messaging';

const HEADER =
  'RECORD_ID,RECORD_VERSION,NOTIFICATION_TYPE,DEC_CONF_NHS_NUMBER,DEC_DATE_OF_BIRTH,DEC_SEX,DEC_SURNAME,DEC_FORENAMES,DEC_POSTCODE,REG_DATE_OF_DEATH,REG_DATE,S_UNDERLYING_COD_ICD10,POD_CODE,EVENT_DATE,CANCELLED_FLAG';
const SURNAMES = ['SMITH', 'JONES', 'TAYLOR', 'BROWN', 'WILLIAMS', 'WILSON', 'JOHNSON', 'DAVIES', 'ROBINSON', 'WRIGHT', 'THOMPSON', 'EVANS'];
const FORENAMES = ['JOHN PAUL', 'MARY', 'DAVID', 'SUSAN JANE', 'PETER', 'MARGARET', 'ALAN', 'JEAN'];

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function generate(path: string, rows: number): Promise<void> {
  const rnd = mulberry32(20240601);
  const out = createWriteStream(path);
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  out.write(`${HEADER}\n`);
  let chunk: string[] = [];
  for (let i = 0; i < rows; i++) {
    let nhs = '';
    while (nhs === '') {
      const first9 = pad(100_000_000 + Math.floor(rnd() * 800_000_000), 9);
      const c = modulus11CheckDigit(first9);
      if (c !== null) nhs = first9 + String(c);
    }
    const y = 1920 + Math.floor(rnd() * 50);
    const dob = `${y}${pad(1 + Math.floor(rnd() * 12), 2)}${pad(1 + Math.floor(rnd() * 28), 2)}`;
    const dy = 2007 + Math.floor(rnd() * 5);
    const dod = `${dy}${pad(1 + Math.floor(rnd() * 12), 2)}${pad(1 + Math.floor(rnd() * 20), 2)}`;
    const reg = `${dod.slice(0, 6)}${pad(Number(dod.slice(6)) + 5, 2)}`;
    chunk.push(
      [
        `B${pad(i, 8)}`,
        '1',
        'D',
        nhs,
        dob,
        rnd() < 0.5 ? '1' : '2',
        SURNAMES[Math.floor(rnd() * SURNAMES.length)],
        FORENAMES[Math.floor(rnd() * FORENAMES.length)],
        `SE${1 + Math.floor(rnd() * 28)} ${Math.floor(rnd() * 10)}EH`,
        dod,
        reg,
        'I21.9',
        'H',
        '',
        '',
      ].join(','),
    );
    if (chunk.length === 10_000) {
      if (!out.write(`${chunk.join('\n')}\n`)) await once(out, 'drain');
      chunk = [];
    }
  }
  if (chunk.length) out.write(`${chunk.join('\n')}\n`);
  out.end();
  await once(out, 'finish');
}

interface Run {
  rowsPerSecond: number;
  seconds: number;
  cpuSeconds: number;
  otherCpuSeconds: number | null;
  peakRssMiB: number;
}

/** CPU seconds the whole machine has spent busy (Linux /proc/stat, at 100 ticks a second); null elsewhere. */
function machineBusySeconds(): number | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / 100;
  } catch {
    return null;
  }
}

async function ingestOnce(file: string, brokers: string, mode: 'thread' | 'main'): Promise<{ run: Run; summary: IngestSummary }> {
  const kafka = createKafka(brokers, 'bench-ingest', (level, msg) => {
    if (level === 'error') process.stderr.write(`kafka: ${msg}\n`);
  });
  const topics = topicNames(`bench-ingest-${Date.now().toString(36)}-`);
  const specs = topicSpecs(topics, 6);
  await ensureTopics(kafka, specs);
  const producer = mode === 'main' ? createProducer(kafka) : null;
  await producer?.connect();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 200);
  try {
    const cpu0 = process.cpuUsage();
    const busy0 = machineBusySeconds();
    const summary = await ingestExtract({
      input: createReadStream(file),
      source: 'ONS',
      extractedOn: '2011-10-02',
      completeUpTo: '2011-09-30',
      topics,
      file: 'bench.csv',
      clock: () => performance.now(),
      failedAt: new Date().toISOString(),
      ...(producer
        ? { producer }
        : {
            thread: {
              brokers,
              clientId: 'bench-ingest',
              log: (level, msg) => {
                if (level === 'error') process.stderr.write(`kafka: ${msg}\n`);
              },
            },
          }),
    });
    const cpu = process.cpuUsage(cpu0);
    const busy1 = machineBusySeconds();
    const cpuSeconds = Math.round((cpu.user + cpu.system) / 1e4) / 100;
    const otherCpuSeconds = busy0 === null || busy1 === null ? null : Math.max(0, Math.round((busy1 - busy0 - cpuSeconds) * 10) / 10);
    const run = {
      rowsPerSecond: summary.rowsPerSecond,
      seconds: summary.seconds,
      cpuSeconds,
      otherCpuSeconds,
      peakRssMiB: Math.round(peak / 2 ** 20),
    };
    return { run, summary };
  } finally {
    clearInterval(sampler);
    await producer?.disconnect();
    await deleteTopics(
      kafka,
      specs.map((t) => t.topic),
    );
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function main(): Promise<void> {
  const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !(all[i - 1] ?? '').startsWith('--'));
  const rows = Number(positional[0] ?? 1_000_000);
  const runs = Number(flag('runs') ?? 3);
  const mode = flag('mode') ?? 'thread';
  if (mode !== 'thread' && mode !== 'main') throw new Error('--mode is thread or main');
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const file = join(tmpdir(), `bench-ingest-${rows}.csv`);
  process.stderr.write(`generating ${rows} rows into ${file}\n`);
  await generate(file, rows);
  try {
    const results: Run[] = [];
    let last: IngestSummary | null = null;
    for (let r = 0; r < runs; r++) {
      const { run, summary } = await ingestOnce(file, brokers, mode);
      process.stderr.write(
        `run ${r + 1}/${runs}: ${run.rowsPerSecond} rows/s, ${run.seconds} s, CPU ${run.cpuSeconds} s, other processes ${run.otherCpuSeconds ?? '?'} CPU s\n`,
      );
      results.push(run);
      last = summary;
    }
    const cpu = cpus();
    const rowsPerSecond = Math.round(median(results.map((x) => x.rowsPerSecond)));
    const cpuSeconds = Math.round(median(results.map((x) => x.cpuSeconds)) * 100) / 100;
    console.log(
      JSON.stringify(
        {
          bench: 'ingest',
          mode,
          rows,
          published: last?.published,
          rejected: last?.rejected,
          runs: results,
          rowsPerSecond,
          cpuSeconds,
          cpuMicrosPerRow: Math.round((cpuSeconds / rows) * 1e7) / 10,
          peakRssMiB: Math.max(...results.map((x) => x.peakRssMiB)),
          fileMiB: Math.round(statSync(file).size / 2 ** 20),
          brokers,
          partitions: 6,
          machine: {
            cpu: cpu[0]?.model ?? 'unknown',
            cores: cpu.length,
            memoryGiB: Math.round(totalmem() / 2 ** 30),
            os: `${osType()} ${release()}`,
            node: process.version,
          },
          target: 20000,
          pass: rowsPerSecond >= 20000,
        },
        null,
        2,
      ),
    );
  } finally {
    unlinkSync(file);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:ingest: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
