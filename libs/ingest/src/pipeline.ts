import { Readable, Transform } from 'node:stream';
import { CompressionTypes, Message, Producer } from 'kafkajs';
import { ExtractComplete, RegistryRecord, TopicNames, dlqOf, notificationKey } from '@trial/contracts';
import { Layout, RejectsWriter, RowError, layoutSource, readRegistry } from '@trial/registry';

export type Source = 'ONS' | 'NRS';

/** What an ingest did: the same JSON from `followup ingest` and `POST /registry/extracts`. */
export interface IngestSummary {
  source: Source;
  layout: Layout | null;
  file: string;
  rows: number;
  published: number;
  rejected: number;
  /** The first rejected rows (line, field, reason); all of them are in the rejects report and the DLQ. */
  firstRejects: RowError[];
  completeUpTo: string | null;
  extractComplete: boolean;
  seconds: number;
  rowsPerSecond: number;
}

export interface Progress {
  bytes: number;
  rows: number;
  rejected: number;
}

export interface IngestOptions {
  input: Readable;
  source: Source;
  /** Guessed from the header when omitted; must be the source's layout either way. */
  layout?: Layout;
  extractedOn: string;
  completeUpTo?: string | null;
  producer: Producer;
  topics: TopicNames;
  rejects?: RejectsWriter | null;
  /** A label for the file in DLQ records and the summary (a name, never content). */
  file: string;
  /** Milliseconds, monotonic; passed in so the pipeline reads no clock itself. */
  clock: () => number;
  failedAt: string;
  onProgress?: (p: Progress) => void;
  batchSize?: number;
}

/** The extract as a whole cannot be ingested (as opposed to one bad row). */
export class IngestError extends Error {
  constructor(readonly code: 'source-mismatch', message: string) {
    super(message);
    this.name = 'IngestError';
  }
}

const MAX_IN_FLIGHT = 4;

/**
 * Streams an ONS or NRS extract into `registry.notifications` in constant memory: rows are
 * read one at a time, published in batches keyed `source:recordId` through the (idempotent)
 * producer with at most a few batches in flight; invalid rows go to the rejects report and to
 * `registry.notifications.dlq` (line, field, reason; no row content) and the run carries on.
 * `extract-complete` is published only after every row has been acknowledged.
 * Re-ingesting a file republishes the same (recordId, version) pairs, which the linkage service
 * recognises as duplicates, so nothing changes downstream.
 */
export async function ingestExtract(o: IngestOptions): Promise<IngestSummary> {
  const started = o.clock();
  const batchSize = o.batchSize ?? 5000;
  const progress: Progress = { bytes: 0, rows: 0, rejected: 0 };
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      progress.bytes += chunk.length;
      done(null, chunk);
    },
  });
  o.input.on('error', (e) => counter.destroy(e));
  o.input.pipe(counter);
  const inFlight: Promise<unknown>[] = [];
  const firstRejects: RowError[] = [];
  let published = 0;
  let layout: Layout | null = o.layout ?? null;
  let good: Message[] = [];
  let bad: Message[] = [];
  const flush = async (): Promise<void> => {
    const topicMessages = [];
    if (good.length) topicMessages.push({ topic: o.topics.notifications, messages: good });
    if (bad.length) topicMessages.push({ topic: dlqOf(o.topics.notifications), messages: bad });
    if (!topicMessages.length) return;
    good = [];
    bad = [];
    inFlight.push(o.producer.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages }));
    // Bounded: wait for the oldest batch before reading on (back-pressure, constant memory).
    if (inFlight.length >= MAX_IN_FLIGHT) await inFlight.shift();
  };
  try {
    for await (const row of readRegistry(counter, { layout: o.layout, extractedOn: o.extractedOn })) {
      if (layout === null) layout = row.layout;
      if (layoutSource[row.layout] !== o.source) {
        throw new IngestError('source-mismatch', `the file is in the ${row.layout.toUpperCase()} layout but --source is ${o.source}`);
      }
      progress.rows++;
      if (row.ok) {
        good.push(recordMessage(row.record));
        published++;
      } else {
        progress.rejected++;
        if (firstRejects.length < 20) firstRejects.push(row.error);
        await o.rejects?.write(row.error);
        bad.push({
          key: `ingest:${o.source}:${o.file}:${row.line}`,
          value: JSON.stringify({
            code: 'invalid-row', reason: `${row.error.field}: ${row.error.reason}`, consumer: 'ingest', failedAt: o.failedAt,
            source: { file: o.file, line: row.line, field: row.error.field, recordId: row.error.recordId }, original: null,
          }),
          headers: { 'dlq-reason': `${row.error.field}: ${row.error.reason}`.slice(0, 1000), 'dlq-code': 'invalid-row' },
        });
      }
      if (good.length + bad.length >= batchSize) await flush();
      if (progress.rows % 5000 === 0) o.onProgress?.(progress);
    }
    await flush();
  } finally {
    // Settle every send before returning or rethrowing: no stray rejection after we are gone.
    const settled = await Promise.allSettled(inFlight.splice(0));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
  o.onProgress?.(progress);
  let extractComplete = false;
  if (o.completeUpTo) {
    // Every row above is acknowledged (acks=-1) before completeness is claimed.
    const ec: ExtractComplete = { v: 1, source: o.source, kind: 'extract-complete', completeUpTo: o.completeUpTo, extractedOn: o.extractedOn };
    await o.producer.send({ topic: o.topics.notifications, acks: -1, messages: [{ key: notificationKey(ec), value: JSON.stringify(ec) }] });
    extractComplete = true;
  }
  const seconds = (o.clock() - started) / 1000;
  return {
    source: o.source, layout, file: o.file, rows: progress.rows, published, rejected: progress.rejected, firstRejects,
    completeUpTo: o.completeUpTo ?? null, extractComplete, seconds: round(seconds, 3),
    rowsPerSecond: seconds > 0 ? Math.round(progress.rows / seconds) : progress.rows,
  };
}

function recordMessage(r: RegistryRecord): Message {
  return { key: notificationKey(r), value: JSON.stringify(r) };
}

const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;
