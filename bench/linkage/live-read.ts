// Reading a topic to its end, for the live linkage benchmark (live.ts): the bare consumer whose
// rate is printed beside the service's, and the reads that pair each outcome event with the
// notification it came from. All of them run after the service has stopped, so they neither
// compete with it for the machine's two cores nor slow down what is timed.
import { randomBytes } from 'node:crypto';
import { Kafka, KafkaMessage } from 'kafkajs';

export interface TopicEnd {
  partition: number;
  /** First offset held (after retention: 0 here, topics keep everything). */
  low: bigint;
  /** Offset the next message will get: the partition's messages are low..high-1. */
  high: bigint;
}

export async function topicEnds(kafka: Kafka, topic: string): Promise<TopicEnd[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) })).sort((a, b) => a.partition - b.partition);
  } finally {
    await admin.disconnect();
  }
}

/** Messages at or below the checkpoints, and whether they are all of the topic's. */
export function coverage(cps: Map<number, bigint>, ends: TopicEnd[]): { applied: number; complete: boolean } {
  let applied = 0;
  let complete = true;
  for (const e of ends) {
    const cp = cps.get(e.partition) ?? e.low - 1n;
    const upTo = cp >= e.high - 1n ? e.high - 1n : cp;
    applied += Number(upTo - e.low + 1n > 0n ? upTo - e.low + 1n : 0n);
    if (upTo < e.high - 1n) complete = false;
  }
  return { applied, complete };
}

/** Nearest-rank percentile of an ascending list: the smallest value with at least p% of the list at or below it. */
export const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

export const messagesIn = (ends: TopicEnd[]): number => ends.reduce((s, e) => s + Number(e.high - e.low), 0);

/**
 * Reads `topic` from the beginning with a consumer group of its own (a fresh group id, so no
 * committed offset is reused) until every partition's last message, handing each batch to
 * `onBatch`. Resolves once the end is reached and the consumer has left.
 */
async function readToEnd(
  kafka: Kafka,
  topic: string,
  ends: TopicEnd[],
  label: string,
  onBatch: (partition: number, messages: KafkaMessage[]) => void,
): Promise<void> {
  const remaining = new Map(ends.filter((e) => e.high > e.low).map((e) => [e.partition, e.high - 1n]));
  if (!remaining.size) return;
  const consumer = kafka.consumer({
    groupId: `bench-live-${label}-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`,
    maxWaitTimeInMs: 100,
  });
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        onBatch(batch.partition, batch.messages);
        const last = remaining.get(batch.partition);
        if (last !== undefined && BigInt(batch.lastOffset()) >= last) {
          remaining.delete(batch.partition);
          if (!remaining.size) finish();
        }
      },
    });
    await done;
  } finally {
    await consumer.disconnect();
  }
}

export interface BareRead {
  messages: number;
  /** From the first batch received to the last: the group join before it is not reading. */
  seconds: number;
  perSecond: number;
}

/**
 * The rate at which a bare kafkajs consumer (eachBatch, default fetch sizes, no processing:
 * it only counts) reads the whole topic from the beginning. It is the ceiling that consuming
 * the topic at all imposes on this machine, against which the service's rate is put.
 */
export async function bareConsumerRate(kafka: Kafka, topic: string, ends: TopicEnd[]): Promise<BareRead> {
  let messages = 0;
  let first = 0;
  let last = 0;
  await readToEnd(kafka, topic, ends, 'bare', (_, batch) => {
    const now = performance.now();
    if (!first) first = now;
    last = now;
    messages += batch.length;
  });
  const seconds = Math.max(last - first, 1) / 1000;
  return { messages, seconds, perSecond: messages / seconds };
}

/** An outcome event with a record reference, and its Kafka timestamp (ms since the epoch). */
export interface OutcomeRef {
  record: string;
  at: number;
}

/** `source:recordId:version`: a notification's identity, as outcome events cite it. */
export const recordRef = (source: string, recordId: string, version: number): string => `${source}:${recordId}:${version}`;

/** Every outcome event that cites a registry record (source, recordId, version), with its timestamp. */
export async function readOutcomes(kafka: Kafka, topic: string, ends: TopicEnd[]): Promise<OutcomeRef[]> {
  const out: OutcomeRef[] = [];
  await readToEnd(kafka, topic, ends, 'outcomes', (_, batch) => {
    for (const m of batch) {
      const v = JSON.parse(m.value?.toString() ?? 'null') as { source?: unknown; recordId?: unknown; version?: unknown } | null;
      if (v && typeof v.source === 'string' && typeof v.recordId === 'string' && typeof v.version === 'number') {
        out.push({ record: recordRef(v.source, v.recordId, v.version), at: Number(m.timestamp) });
      }
    }
  });
  return out;
}

export interface NotificationTimes {
  /** Kafka timestamp of each notification that `wanted` names (by recordRef). */
  at: Map<string, number>;
  /** The earliest timestamp on the topic: the first publish of the ingest. */
  first: number;
  last: number;
}

/**
 * The Kafka timestamps of the notifications outcome events came from. A notification's key is
 * `source:recordId`, so only values whose key some outcome cites are parsed (for the version).
 */
export async function notificationTimes(kafka: Kafka, topic: string, ends: TopicEnd[], wanted: Set<string>): Promise<NotificationTimes> {
  const keys = new Set([...wanted].map((r) => r.slice(0, r.lastIndexOf(':'))));
  const at = new Map<string, number>();
  let first = Infinity;
  let last = -Infinity;
  await readToEnd(kafka, topic, ends, 'notifications', (_, batch) => {
    for (const m of batch) {
      const t = Number(m.timestamp);
      if (t < first) first = t;
      if (t > last) last = t;
      const key = m.key?.toString();
      if (key === undefined || !keys.has(key)) continue;
      const v = JSON.parse(m.value?.toString() ?? 'null') as { source?: string; recordId?: string; version?: number } | null;
      if (!v?.source || !v.recordId || typeof v.version !== 'number') continue;
      // The first publish of a (record, version) is the one the outcome came from: a re-send is a duplicate.
      const ref = recordRef(v.source, v.recordId, v.version);
      if (!at.has(ref)) at.set(ref, t);
    }
  });
  return { at, first, last };
}
