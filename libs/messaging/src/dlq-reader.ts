import { Kafka } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DeadLetterRecord } from './dead-letters';

/** A dead letter where it sits: `<dlq topic>:<partition>:<offset>` names it for show and re-drive. */
export interface StoredDeadLetter {
  id: string;
  dlqTopic: string;
  partition: number;
  offset: string;
  record: DeadLetterRecord;
}

/** What a listing shows of a letter: where from, why (its code), when; not its content. */
export interface DeadLetterSummary {
  id: string;
  topic: string;
  code: string;
  consumer: string;
  failedAt: string;
  source: { partition: number; offset: string };
  originalBytes: number | null;
  parked: boolean;
}

export interface DeadLetterFilter {
  /** The original topic (`trial.enrollments`), or its DLQ. */
  topic?: string;
  code?: string;
  /** ISO 8601 instants, inclusive: failedAt at or after `since`, before `until`. */
  since?: string;
  until?: string;
}

/** The one schema of a DLQ record (deadLetterMessage writes it). */
const deadLetterRecord = z.object({
  code: z.string(),
  reason: z.string(),
  consumer: z.string(),
  failedAt: z.string(),
  source: z.object({ topic: z.string(), partition: z.number().int(), offset: z.string(), key: z.string().nullable() }),
  originalBytes: z.number().int().nullable(),
  originalBase64: z.string().nullable(),
  parkedId: z.string().nullable(),
});

export function summarise(l: StoredDeadLetter): DeadLetterSummary {
  const r = l.record;
  return {
    id: l.id,
    topic: r.source.topic,
    code: r.code,
    consumer: r.consumer,
    failedAt: r.failedAt,
    source: { partition: r.source.partition, offset: r.source.offset },
    originalBytes: r.originalBytes,
    parked: r.parkedId !== null,
  };
}

/** Letters matching every given criterion, oldest first. Pure. */
export function filterLetters(letters: readonly StoredDeadLetter[], f: DeadLetterFilter): StoredDeadLetter[] {
  const at = (s: string) => Date.parse(s);
  return letters
    .filter((l) => f.topic === undefined || l.record.source.topic === f.topic || l.dlqTopic === f.topic)
    .filter((l) => f.code === undefined || l.record.code === f.code)
    .filter((l) => f.since === undefined || at(l.record.failedAt) >= at(f.since))
    .filter((l) => f.until === undefined || at(l.record.failedAt) < at(f.until))
    .sort((a, b) => at(a.record.failedAt) - at(b.record.failedAt) || a.id.localeCompare(b.id));
}

/**
 * Every letter on the given DLQ topics, read from the low to the high watermark of the
 * moment by a consumer of a throwaway group (it commits nothing, so it moves no one's
 * position). A record that does not parse is reported by id with code `unreadable-record`.
 */
export async function readDeadLetters(kafka: Kafka, dlqTopics: readonly string[], timeoutMs = 30_000): Promise<StoredDeadLetter[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, bigint>();
  try {
    for (const topic of dlqTopics) {
      for (const p of await admin.fetchTopicOffsets(topic)) if (BigInt(p.high) > BigInt(p.low)) ends.set(`${topic}:${p.partition}`, BigInt(p.high));
    }
  } finally {
    await admin.disconnect();
  }
  if (!ends.size) return [];
  const out: StoredDeadLetter[] = [];
  const pending = new Set(ends.keys());
  const consumer = kafka.consumer({ groupId: `dlq-reader-${randomBytes(6).toString('hex')}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...new Set([...ends.keys()].map((k) => k.slice(0, k.lastIndexOf(':'))))], fromBeginning: true });
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const where = `${topic}:${partition}`;
        const end = ends.get(where);
        if (end === undefined || BigInt(message.offset) >= end) return;
        out.push(toStored(topic, partition, message.offset, message.value));
        if (BigInt(message.offset) + 1n >= end) pending.delete(where);
        if (!pending.size) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`reading ${dlqTopics.join(', ')} took over ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
      await Promise.race([finished, timeout]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await consumer.disconnect();
  }
  return out;
}

function toStored(dlqTopic: string, partition: number, offset: string, value: Buffer | null): StoredDeadLetter {
  const id = `${dlqTopic}:${partition}:${offset}`;
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(value?.toString('utf8') ?? 'null');
  } catch {
    parsed = null;
  }
  const r = deadLetterRecord.safeParse(parsed);
  const record: DeadLetterRecord = r.success
    ? r.data
    : {
        code: 'unreadable-record',
        reason: 'the DLQ record does not parse',
        consumer: '',
        failedAt: new Date(0).toISOString(),
        source: { topic: dlqTopic.replace(/\.dlq$/, ''), partition: -1, offset: '-1', key: null },
        originalBytes: null,
        originalBase64: null,
        parkedId: null,
      };
  return { id, dlqTopic, partition, offset, record };
}
