// `npm run bench:ingest [-- ROWS]`: ingest throughput through the real broker. Generates a
// valid ONS extract of ROWS rows (default 1,000,000; seeded, so every run is the same file),
// streams it with @trial/ingest (the code `followup ingest` and POST /registry/extracts run)
// into private topics, and prints rows/s with the machine it ran on. Target: >= 20,000 rows/s.
import { createReadStream, createWriteStream, statSync, unlinkSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, totalmem, tmpdir, type as osType, release } from 'node:os';
import { join } from 'node:path';
import { topicNames, topicSpecs } from '@trial/contracts';
import { ingestExtract } from '@trial/ingest';
import { modulus11CheckDigit } from '@trial/linkage';
import { createKafka, createProducer, deleteTopics, ensureTopics } from '@trial/messaging';

const HEADER = 'RECORD_ID,RECORD_VERSION,NOTIFICATION_TYPE,DEC_CONF_NHS_NUMBER,DEC_DATE_OF_BIRTH,DEC_SEX,DEC_SURNAME,DEC_FORENAMES,DEC_POSTCODE,REG_DATE_OF_DEATH,REG_DATE,S_UNDERLYING_COD_ICD10,POD_CODE,EVENT_DATE,CANCELLED_FLAG';
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
    chunk.push([`B${pad(i, 8)}`, '1', 'D', nhs, dob, rnd() < 0.5 ? '1' : '2', SURNAMES[Math.floor(rnd() * SURNAMES.length)],
      FORENAMES[Math.floor(rnd() * FORENAMES.length)], `SE${1 + Math.floor(rnd() * 28)} ${Math.floor(rnd() * 10)}EH`, dod, reg, 'I21.9', 'H', '', ''].join(','));
    if (chunk.length === 10_000) {
      if (!out.write(`${chunk.join('\n')}\n`)) await once(out, 'drain');
      chunk = [];
    }
  }
  if (chunk.length) out.write(`${chunk.join('\n')}\n`);
  out.end();
  await once(out, 'finish');
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const file = join(tmpdir(), `bench-ingest-${rows}.csv`);
  process.stderr.write(`generating ${rows} rows into ${file}\n`);
  await generate(file, rows);
  const kafka = createKafka(brokers, 'bench-ingest', (level, msg) => { if (level === 'error') process.stderr.write(`kafka: ${msg}\n`); });
  const topics = topicNames(`bench-ingest-${Date.now().toString(36)}-`);
  const specs = topicSpecs(topics, 6);
  await ensureTopics(kafka, specs);
  const producer = createProducer(kafka);
  await producer.connect();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 200);
  try {
    const s = await ingestExtract({
      input: createReadStream(file), source: 'ONS', extractedOn: '2011-10-02', completeUpTo: '2011-09-30', producer, topics,
      file: 'bench.csv', clock: () => performance.now(), failedAt: new Date().toISOString(),
    });
    clearInterval(sampler);
    const cpu = cpus();
    console.log(JSON.stringify({
      bench: 'ingest', rows: s.rows, published: s.published, rejected: s.rejected, seconds: s.seconds, rowsPerSecond: s.rowsPerSecond,
      fileMiB: Math.round(statSync(file).size / 2 ** 20), peakRssMiB: Math.round(peak / 2 ** 20), brokers, partitions: 6,
      machine: { cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, memoryGiB: Math.round(totalmem() / 2 ** 30), os: `${osType()} ${release()}`, node: process.version },
      target: 20000, pass: s.rowsPerSecond >= 20000,
    }, null, 2));
  } finally {
    clearInterval(sampler);
    await producer.disconnect();
    await deleteTopics(kafka, specs.map((t) => t.topic));
    unlinkSync(file);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:ingest: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
