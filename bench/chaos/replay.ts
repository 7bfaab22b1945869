// Replays the demo trial (demo/data, the steps `followup demo` plays) through a running fleet,
// as fast as the pipeline takes it, and keeps going through faults: every publish is retried
// until it is acknowledged, as an operator (or a supervisor) would re-run it.
//  - enrolments: onto trial.enrollments with an idempotent producer;
//  - ONS extracts: `followup ingest` as a child process (which a fault may kill mid-file);
//  - NRS extracts: `POST /registry/extracts` to the ingest service;
//  - reviews: once the pipeline has settled, the open review items the manifest decides, through
//    the API as a reviewer.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, Producer } from 'kafkajs';
import { projectRoot } from '@trial/config';
import { EnrollmentEvent, TopicNames } from '@trial/contracts';
import { createProducer } from '@trial/messaging';
import { ExtractStep, ReviewDecision, Step } from '../../demo/manifest';
import { sleep } from './faults';
import { waitSettled } from './compare';
import { Fleet } from './services';

const ROOT = projectRoot();
export const DATA_DIR = join(ROOT, 'demo', 'data');

export interface Manifest {
  trialId: string;
  enrollments: string;
  steps: Step[];
}

export function readManifest(): Manifest {
  return JSON.parse(readFileSync(join(DATA_DIR, 'manifest.json'), 'utf8')) as Manifest;
}

export interface Tokens {
  dsmb: string;
  reviewer: string;
  ingest: string;
}

export interface ReplayContext {
  kafka: Kafka;
  topics: TopicNames;
  brokers: string;
  topicPrefix: string;
  dbUrl: string;
  fleet: Fleet;
  tokens: Tokens;
  /** Scratch space: rejects and warnings reports (never beside the extracts), the FIFO of a mid-file kill. */
  workDir: string;
  log: (line: string) => void;
  /** The api instance reads go to (the first one that runs). */
  api: () => string;
}

/** How an ONS extract's `followup ingest` is to be interrupted, if at all. */
export type IngestKill = 'none' | 'mid-read' | 'after-first-ack';

export interface IngestReport {
  attempts: number;
  killed: string[];
}

export class Replay {
  private producer: Producer | null = null;
  private readonly lines: Array<{ key: string; event: EnrollmentEvent }>;
  readonly ingests: IngestReport = { attempts: 0, killed: [] };

  constructor(
    readonly manifest: Manifest,
    private readonly c: ReplayContext,
  ) {
    this.lines = readFileSync(join(DATA_DIR, manifest.enrollments), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; event: EnrollmentEvent });
  }

  async close(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = null;
  }

  async step(step: Step, ingestKill: IngestKill = 'none', uploadKill = false): Promise<void> {
    switch (step.kind) {
      case 'enrolments':
        return this.enrol(this.lines.slice(step.firstLine - 1, step.lastLine));
      case 'extract':
        return step.source === 'ONS' ? this.cliIngest(step, ingestKill) : this.upload(step, uploadKill);
      case 'review':
        return this.review(step.decisions);
      default: {
        const never: never = step;
        throw new Error(`unknown step ${JSON.stringify(never)}`);
      }
    }
  }

  private async enrol(batch: Array<{ key: string; event: EnrollmentEvent }>): Promise<void> {
    await retry('enrolments', this.c.log, async () => {
      if (!this.producer) {
        const p = createProducer(this.c.kafka);
        await p.connect();
        this.producer = p;
      }
      try {
        await this.producer.send({
          topic: this.c.topics.enrollments,
          acks: -1,
          messages: batch.map((l) => ({ key: l.key, value: JSON.stringify(l.event) })),
        });
      } catch (e) {
        await this.close();
        throw e;
      }
    });
  }

  private cliArgs(step: ExtractStep, file: string): string[] {
    return [
      join(ROOT, 'bin/followup.js'),
      'ingest',
      '--source',
      step.source,
      '--complete-up-to',
      step.completeUpTo,
      '--extracted-on',
      step.extractedOn,
      '--rejects',
      join(this.c.workDir, 'rejects.csv'),
      '--warnings',
      join(this.c.workDir, 'warnings.csv'),
      file,
    ];
  }

  private spawnIngest(step: ExtractStep, file: string): ChildProcess {
    this.ingests.attempts++;
    const log = createWriteStream(join(this.c.workDir, 'followup-ingest.log'), { flags: 'a' });
    const child = spawn(process.execPath, this.cliArgs(step, file), {
      env: { ...process.env, KAFKA_BROKERS: this.c.brokers, TOPIC_PREFIX: this.c.topicPrefix, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    return child;
  }

  /** `followup ingest` of one ONS extract, run again until it exits 0; first killed if asked. */
  private async cliIngest(step: ExtractStep, kill: IngestKill): Promise<void> {
    const file = join(DATA_DIR, step.file);
    if (kill === 'mid-read') this.ingests.killed.push(await this.killMidRead(step, file));
    if (kill === 'after-first-ack') this.ingests.killed.push(await this.killAfterFirstAck(step, file));
    await retry(`followup ingest ${step.file}`, this.c.log, async () => {
      const child = this.spawnIngest(step, file);
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      if (code !== 0) throw new Error(`exit code ${code}`);
    });
  }

  /**
   * Feeds half the extract through a FIFO, so `followup ingest` is certainly mid-file (it has
   * read rows and waits for more), then kill -9s it.
   */
  private async killMidRead(step: ExtractStep, file: string): Promise<string> {
    const fifo = join(this.c.workDir, `mid-read-${Date.now()}.csv`);
    execFileSync('mkfifo', [fifo]);
    const child = this.spawnIngest(step, fifo);
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const text = readFileSync(file, 'utf8');
    const half = text.slice(0, text.indexOf('\n', Math.floor(text.length / 2)) + 1);
    const w = createWriteStream(fifo);
    w.on('error', () => undefined);
    await new Promise<void>((r) => w.write(half, () => r()));
    await sleep(1500);
    const alive = child.exitCode === null;
    child.kill('SIGKILL');
    await exited;
    w.destroy();
    return `${step.file}: killed ${alive ? 'mid-file' : 'AFTER it had exited'} (${half.split('\n').length - 1} of ${text.split('\n').length - 1} lines written to it)`;
  }

  /** kill -9 as soon as the first of its rows is on the topic (before its extract-complete, if the race is won). */
  private async killAfterFirstAck(step: ExtractStep, file: string): Promise<string> {
    const admin = this.c.kafka.admin();
    await admin.connect();
    try {
      const total = async () =>
        (await retry('notification offsets', this.c.log, () => admin.fetchTopicOffsets(this.c.topics.notifications), 60_000)).reduce(
          (s, p) => s + Number(p.high),
          0,
        );
      const before = await total();
      const child = this.spawnIngest(step, file);
      const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      while (child.exitCode === null && (await total()) === before) await sleep(5);
      const alive = child.exitCode === null;
      child.kill('SIGKILL');
      await exited;
      const final = await total();
      const rows = step.rows + 1;
      const when = !alive
        ? 'AFTER it had exited'
        : final - before < rows
          ? 'mid-publish, after its first acknowledged batch'
          : 'after all its messages were acknowledged, before it exited';
      return `${step.file}: killed ${when}; ${final - before} of ${rows} messages on the topic`;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** `POST /registry/extracts` until it answers 200; with `kill`, the ingest service is kill -9ed during the first try. */
  private async upload(step: ExtractStep, kill: boolean): Promise<void> {
    const body = readFileSync(join(DATA_DIR, step.file));
    const post = async () => {
      const form = new FormData();
      form.set('source', step.source);
      form.set('completeUpTo', step.completeUpTo);
      form.set('extractedOn', step.extractedOn);
      form.set('file', new Blob([body], { type: 'text/csv' }), step.file.replace(/^.*\//, ''));
      const res = await fetch(`${this.c.fleet.url('ingest#1')}/registry/extracts`, {
        method: 'POST',
        body: form,
        headers: { authorization: `Bearer ${this.c.tokens.ingest}` },
        signal: AbortSignal.timeout(60_000),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
    };
    if (kill) {
      const first = post().then(
        () => 'completed',
        (e: Error) => `failed: ${e.message}`,
      );
      await sleep(Math.floor(Math.random() * 60));
      await this.c.fleet.kill('ingest#1');
      this.ingests.killed.push(`${step.file}: ingest service killed during its upload (that upload ${await first})`);
      await this.c.fleet.start('ingest', 1);
    }
    await retry(`upload ${step.file}`, this.c.log, post);
  }

  /** Decides the manifest's review items that the linkage raised, once it has settled. */
  private async review(decisions: ReviewDecision[]): Promise<void> {
    await waitSettled(this.c.kafka, this.c.topics, this.c.dbUrl, 600_000);
    interface Item {
      reviewId: string;
      record: { source: string; recordId: string };
    }
    const items = await retry('list reviews', this.c.log, async () => {
      const res = await fetch(`${this.c.api()}/reviews?status=open&limit=1000`, {
        headers: { authorization: `Bearer ${this.c.tokens.reviewer}` },
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return (await res.json()) as Item[];
    });
    for (const d of decisions) {
      const item = items.find((i) => i.record.source === d.source && i.record.recordId === d.recordId);
      if (!item) continue;
      await retry(`review ${item.reviewId}`, this.c.log, async () => {
        const res = await fetch(`${this.c.api()}/reviews/${encodeURIComponent(item.reviewId)}/decision`, {
          method: 'POST',
          signal: AbortSignal.timeout(10_000),
          headers: { authorization: `Bearer ${this.c.tokens.reviewer}`, 'content-type': 'application/json' },
          body: JSON.stringify({ decision: d.decision, patientId: d.patientId, note: d.why }),
        });
        // 409: decided already (a retry after the api died having published the decision).
        if (!res.ok && res.status !== 409) throw new Error(`HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
      });
    }
  }
}

/** Runs `fn` until it succeeds (every 500 ms, for up to ten minutes), logging each failure once. */
export async function retry<T>(what: string, log: (l: string) => void, fn: () => Promise<T>, timeoutMs = 600_000): Promise<T> {
  const t0 = Date.now();
  let last = '';
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      const msg = (e as Error).message;
      if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: gave up after ${timeoutMs / 1000} s: ${msg}`);
      if (msg !== last) log(`  retrying ${what}: ${msg}`);
      last = msg;
      await sleep(500);
    }
  }
}
