import type { Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import type { TopicNames } from '@trial/contracts';
import type { LogEvent } from '@trial/readmodel';
import { LogDecoder } from './log-decoder';

export interface Watermark {
  topic: string;
  partition: number;
  /** Offset of the next message to be written: everything below it is read. */
  high: string;
}

/** What a read of the log ends with, once every event has been handed on. */
export interface LogEnd {
  watermarks: Watermark[];
  /** Messages that did not decode (the live consumer sent them to the DLQ). */
  invalid: number;
}

/** A log held in memory. */
export interface LogRead extends LogEnd {
  events: LogEvent[];
}

/**
 * A read of the log: hands each batch of decoded events to `take` in log order, as it is read
 * (with each event's content hash when the reader has computed it), and resolves when the whole
 * log has been handed on. Replay folds each batch as it arrives, so
 * the log is never held in memory whole.
 */
export type LogSource = (take: (events: readonly LogEvent[], hashes?: readonly string[]) => void) => Promise<LogEnd>;

const MEMORY_BATCH = 5_000;

/**
 * A log already in memory (tests, benchmarks), as a LogSource: handed on in batches, with a turn
 * of the event loop between them as a read from the broker has, so what replay does meanwhile on
 * its connection (reading the held rows' digests) goes on during the fold here too.
 */
export function inMemory(log: LogRead): LogSource {
  return async (take) => {
    for (let i = 0; i < log.events.length; i += MEMORY_BATCH) {
      take(log.events.slice(i, i + MEMORY_BATCH));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return { watermarks: log.watermarks, invalid: log.invalid };
  };
}

/**
 * Reads the enrolment and outcome topics from the beginning up to their high watermarks at
 * the time of the call, with a throwaway consumer group (it commits nothing that matters).
 * Invalid messages are counted and skipped: the live consumer sent them to the DLQ.
 */
export const streamLog =
  (kafka: Kafka, topics: TopicNames, onProgress?: (read: number) => void): LogSource =>
  (take) =>
    readInto(kafka, topics, take, onProgress);

async function readInto(
  kafka: Kafka,
  topics: TopicNames,
  take: (events: readonly LogEvent[], hashes?: readonly string[]) => void,
  onProgress?: (read: number) => void,
): Promise<LogEnd> {
  const admin = kafka.admin();
  await admin.connect();
  const watermarks: Watermark[] = [];
  try {
    for (const topic of [topics.enrollments, topics.outcomes]) {
      for (const p of await admin.fetchTopicOffsets(topic)) watermarks.push({ topic, partition: p.partition, high: p.high });
    }
  } finally {
    await admin.disconnect();
  }
  const pending = new Map(watermarks.filter((w) => BigInt(w.high) > 0n).map((w) => [`${w.topic}:${w.partition}`, BigInt(w.high) - 1n]));
  let read = 0;
  if (pending.size === 0) return { watermarks, invalid: 0 };
  let finish!: () => void;
  let abort!: (e: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    abort = reject;
  });
  // Decoded (schema and content hash) on a worker thread, beside the fold (log-decoder.ts). A
  // failure there (or in the fold it hands batches to) ends the read with that error.
  const decoder = new LogDecoder(take, abort);
  const groupId = `replay-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, maxBytes: 50 * 1024 * 1024, maxBytesPerPartition: 10 * 1024 * 1024 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topics.enrollments, topics.outcomes], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const key = `${batch.topic}:${batch.partition}`;
        const last = pending.get(key);
        if (last === undefined) return;
        const values: Array<Buffer | null> = [];
        for (const m of batch.messages) {
          if (BigInt(m.offset) > last) break;
          values.push(m.value);
        }
        await decoder.submit(batch.topic === topics.enrollments ? 'enrollments' : 'outcomes', values);
        read += values.length;
        onProgress?.(read);
        if (BigInt(batch.lastOffset()) >= last) {
          pending.delete(key);
          if (pending.size === 0) finish();
        }
      },
    });
    await done;
    return { watermarks, invalid: await decoder.finish() };
  } finally {
    await decoder.close();
    await consumer.disconnect();
    const admin2 = kafka.admin();
    await admin2.connect();
    await admin2.deleteGroups([groupId]).catch(() => undefined);
    await admin2.disconnect();
  }
}
