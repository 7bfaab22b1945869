import { Readable, Transform } from 'node:stream';
import { Producer } from 'kafkajs';
import { CodedError, MAX_ID, TopicNames, dlqOf, notificationKey } from '@trial/contracts';
import { rowDeadLetterMessage } from '@trial/messaging';
import { Layout, RejectsWriter, ReportLine, RowError, WarningsWriter, layoutSource, readRegistry } from '@trial/registry';
import { BatchBuilder } from './batch';
import { CompletenessProblem, extractCompleteFor } from './completeness';
import { FinalMessage, Publisher, PublishTopics, ThreadOptions, producerPublisher, threadPublisher } from './publisher';

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
  /**
   * Warnings, counted apart from rejects: damage to one field of a row that was kept and
   * published (feeds.md, "Identifier checks"), one a field, so a row may count more than once.
   */
  warnings: number;
  /** The first warnings (line, field, reason); all of them are in the warnings report. */
  firstWarnings: ReportLine[];
  completeUpTo: string | null;
  extractComplete: boolean;
  seconds: number;
  rowsPerSecond: number;
}

export interface Progress {
  bytes: number;
  rows: number;
  rejected: number;
  warnings: number;
}

/**
 * Where the rows are published: through `producer`, the caller's, on this thread; or (`thread`)
 * through a producer of the ingest's own on a worker thread, so that reading and validating the
 * file and kafkajs's encoding and sending run on two cores (the faster way for big extracts).
 */
export type IngestTarget = { producer: Producer; thread?: undefined } | { thread: ThreadOptions; producer?: undefined };

export type IngestOptions = IngestTarget & {
  input: Readable;
  source: Source;
  /** Guessed from the header when omitted; must be the source's layout either way. */
  layout?: Layout;
  extractedOn: string;
  /** Refused (IngestError, before any row is sent) when after `extractedOn` or after `today`. */
  completeUpTo?: string | null;
  /** Today's civil date (passed in: the pipeline reads no clock); defaults to the date of `failedAt`, the caller's "now". */
  today?: string;
  topics: TopicNames;
  rejects?: RejectsWriter | null;
  /** Where each warning goes (line, field, reason); none of them stops the row being published. */
  warnings?: WarningsWriter | null;
  /** A label for the file in DLQ records and the summary (a name, never content). */
  file: string;
  /** Milliseconds, monotonic; passed in so the pipeline reads no clock itself. */
  clock: () => number;
  failedAt: string;
  onProgress?: (p: Progress) => void;
  /** Rows a Kafka request (default 2000). */
  batchSize?: number;
};

/** The extract as a whole cannot be ingested (as opposed to one bad row). */
export type IngestErrorCode = 'source-mismatch' | CompletenessProblem['code'];
export class IngestError extends CodedError<IngestErrorCode> {
  constructor(
    code: IngestErrorCode,
    message: string,
    readonly field: string | null = null,
  ) {
    super(code, message);
  }
}

/**
 * Streams an ONS or NRS extract into `registry.notifications` in constant memory: rows are
 * read one at a time, published in batches keyed `source:recordId` through an idempotent
 * producer, one batch in flight and a few queued (see Publisher); rows that are no registration
 * go to the rejects report and to `registry.notifications.dlq` (line, field, reason; no row
 * content) and the run carries on. A row with damage to one field (a number failing its check,
 * say) is published, and its warnings go to the warnings report. `extract-complete` is published only after every row has been acknowledged.
 * Re-ingesting a file republishes the same (recordId, version) pairs, which the linkage service
 * recognises as duplicates, so nothing changes downstream.
 */
export async function ingestExtract(o: IngestOptions): Promise<IngestSummary> {
  // Checked before a single row goes out: a refused completeness must not leave half an extract behind.
  const complete = o.completeUpTo
    ? extractCompleteFor({ source: o.source, completeUpTo: o.completeUpTo, extractedOn: o.extractedOn, today: o.today ?? o.failedAt.slice(0, 10) })
    : null;
  if (complete && !complete.ok) throw new IngestError(complete.error.code, `${complete.error.field}: ${complete.error.reason}`, complete.error.field);
  const started = o.clock();
  const batchSize = o.batchSize ?? 2000;
  const progress: Progress = { bytes: 0, rows: 0, rejected: 0, warnings: 0 };
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      progress.bytes += chunk.length;
      done(null, chunk);
    },
  });
  o.input.on('error', (e) => counter.destroy(e));
  o.input.pipe(counter);
  const topics: PublishTopics = { notifications: o.topics.notifications, deadLetters: dlqOf(o.topics.notifications) };
  const publisher: Publisher = o.thread ? threadPublisher(o.thread, topics) : producerPublisher(o.producer, topics);
  const firstRejects: RowError[] = [];
  const firstWarnings: ReportLine[] = [];
  let published = 0;
  let layout: Layout | null = o.layout ?? null;
  const batch = new BatchBuilder(batchSize);
  let extractComplete = false;
  try {
    for await (const row of readRegistry(counter, { layout: o.layout, extractedOn: o.extractedOn })) {
      if (layout === null) layout = row.layout;
      if (layoutSource[row.layout] !== o.source) {
        throw new IngestError('source-mismatch', `the file is in the ${row.layout.toUpperCase()} layout but --source is ${o.source}`);
      }
      progress.rows++;
      for (const w of row.warnings) {
        progress.warnings++;
        const entry: ReportLine = { line: row.line, field: w.field, reason: w.reason };
        if (firstWarnings.length < 20) firstWarnings.push(entry);
        await o.warnings?.write(entry);
      }
      if (row.ok) {
        batch.add(notificationKey(row.record), JSON.stringify(row.record));
        published++;
      } else {
        progress.rejected++;
        if (firstRejects.length < 20) firstRejects.push(row.error);
        await o.rejects?.write(row.error);
        // Capped as every dead letter is: a reject must fit the DLQ topic whatever the row held.
        batch.addDeadLetter(
          rowDeadLetterMessage(
            {
              consumer: 'ingest',
              code: 'invalid-row',
              registry: o.source,
              file: o.file,
              line: row.line,
              field: row.error.field,
              reason: row.error.reason,
              recordId: row.error.recordId,
            },
            o.failedAt,
            MAX_ID,
          ),
        );
      }
      if (batch.count >= batchSize) await publisher.publish(batch.take());
      if (progress.rows % 5000 === 0) o.onProgress?.(progress);
    }
    if (batch.count > 0) await publisher.publish(batch.take());
    o.onProgress?.(progress);
    let last: FinalMessage | null = null;
    if (complete) last = { key: notificationKey(complete.value), value: JSON.stringify(complete.value) };
    // Every row above is acknowledged (acks=-1) before completeness is claimed.
    await publisher.finish(last);
    extractComplete = last !== null;
  } finally {
    // Settles a send under way before returning or rethrowing: no stray send after we are gone.
    await publisher.close();
  }
  const seconds = (o.clock() - started) / 1000;
  return {
    source: o.source,
    layout,
    file: o.file,
    rows: progress.rows,
    published,
    rejected: progress.rejected,
    firstRejects,
    warnings: progress.warnings,
    firstWarnings,
    completeUpTo: o.completeUpTo ?? null,
    extractComplete,
    seconds: round(seconds, 3),
    rowsPerSecond: seconds > 0 ? Math.round(progress.rows / seconds) : progress.rows,
  };
}

const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;
