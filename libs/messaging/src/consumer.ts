import { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { Result, InvalidMessage } from '@trial/contracts';
import { Log } from './kafka';
import { sendToDlq, DeadLetter } from './dead-letters';
import { PermanentError, isTransient, sleep } from './errors';

/** A message that passed its schema, with where it came from. */
export interface Incoming<T> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  timestamp: string;
  value: T;
}

/**
 * The valid messages of one partition's batch, and the offset of the batch's last message
 * (valid or not). The handler must apply the messages and record `lastOffset` as its
 * checkpoint in the same database transaction, skipping messages at or below the checkpoint
 * it already holds: that makes a redelivery change nothing.
 */
export interface PartitionBatch<T> {
  topic: string;
  partition: number;
  messages: Incoming<T>[];
  lastOffset: string;
}

export interface ConsumerOptions<T> {
  kafka: Kafka;
  /** Names the consumer group, the checkpoints and the DLQ records. */
  name: string;
  groupId?: string;
  topics: string[];
  decode: (topic: string, raw: Buffer | null) => Result<T, InvalidMessage>;
  handle: (batch: PartitionBatch<T>) => Promise<void>;
  /** A producer for the DLQ; idempotent. */
  producer: Producer;
  log: Log;
  now: () => string;
  /** Attempts for a message that fails with a non-transient error before it goes to the DLQ. */
  attempts?: number;
  fromBeginning?: boolean;
  /**
   * Partition batches handled at once (kafkajs `partitionsConsumedConcurrently`); default 1.
   * Safe when each batch commits its effects and its partition's checkpoint in its own
   * transaction, as `handle` must: batches of one partition are still handed over in order.
   */
  partitionsConsumedConcurrently?: number;
}

/**
 * Runs a consumer with eachBatch: decodes each message with its schema, sends invalid ones to
 * `<topic>.dlq` with the reason, hands the rest to `handle` per partition batch, retries
 * transient failures with backoff (the consumer restarts and re-reads if they persist), and
 * isolates a message that keeps failing so it alone goes to the DLQ.
 */
export async function runConsumer<T>(opts: ConsumerOptions<T>): Promise<Consumer> {
  const consumer = opts.kafka.consumer({
    groupId: opts.groupId ?? opts.name,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning ?? true });
  await consumer.run({
    eachBatchAutoResolve: false,
    autoCommit: true,
    partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 1,
    eachBatch: (payload) => consumeBatch(opts, payload),
  });
  return consumer;
}

async function consumeBatch<T>(opts: ConsumerOptions<T>, payload: EachBatchPayload): Promise<void> {
  const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
  if (!batch.messages.length || !isRunning() || isStale()) return;
  const valid: Incoming<T>[] = [];
  const dead: DeadLetter[] = [];
  for (const m of batch.messages) {
    const decoded = opts.decode(batch.topic, m.value);
    if (decoded.ok) valid.push(toIncoming(batch.topic, batch.partition, m, decoded.value));
    else dead.push(letter(opts.name, batch.topic, batch.partition, m, decoded.error.code, decoded.error.reason));
  }
  if (dead.length) {
    await sendToDlq(opts.producer, dead, opts.now());
    for (const d of dead) opts.log('warn', 'message sent to DLQ', { consumer: opts.name, topic: d.topic, partition: d.partition, offset: d.offset, code: d.code, reason: d.reason });
  }
  const lastOffset = batch.lastOffset();
  const whole: PartitionBatch<T> = { topic: batch.topic, partition: batch.partition, messages: valid, lastOffset };
  const ok = await withRetries(opts, () => opts.handle(whole), heartbeat);
  if (!ok) await oneByOne(opts, batch.topic, batch.partition, batch.messages, valid, heartbeat);
  resolveOffset(lastOffset);
  await commitOffsetsIfNecessary();
  await heartbeat();
}

/** Re-runs a failed batch one message at a time, so only the poison message goes to the DLQ. */
async function oneByOne<T>(
  opts: ConsumerOptions<T>, topic: string, partition: number, raw: KafkaMessage[], valid: Incoming<T>[],
  heartbeat: () => Promise<void>,
): Promise<void> {
  const byOffset = new Map(valid.map((v) => [v.offset, v]));
  for (const m of raw) {
    const incoming = byOffset.get(m.offset);
    const single: PartitionBatch<T> = { topic, partition, messages: incoming ? [incoming] : [], lastOffset: m.offset };
    let failure: unknown;
    const ok = await withRetries(opts, () => opts.handle(single), heartbeat, (e) => { failure = e; });
    if (ok) continue;
    const code = failure instanceof PermanentError ? failure.code : 'handler-failed';
    const reason = failure instanceof Error ? failure.message : String(failure);
    await sendToDlq(opts.producer, [letter(opts.name, topic, partition, m, code, reason)], opts.now());
    opts.log('error', 'message failed repeatedly; sent to DLQ', { consumer: opts.name, topic, partition, offset: m.offset, code, reason });
    // Move the checkpoint past it, so it is not retried on every restart.
    const skip: PartitionBatch<T> = { topic, partition, messages: [], lastOffset: m.offset };
    if (!(await withRetries(opts, () => opts.handle(skip), heartbeat))) throw failure;
  }
}

/**
 * Returns true on success, false when the handler failed with a non-transient error
 * `attempts` times. A transient error is retried with backoff, up to about a minute, then
 * rethrown: kafkajs restarts the consumer from the last committed offset, so nothing is lost.
 */
async function withRetries(
  opts: { attempts?: number; log: Log; name: string },
  fn: () => Promise<void>, heartbeat: () => Promise<void>, onFail?: (e: unknown) => void,
): Promise<boolean> {
  const attempts = opts.attempts ?? 3;
  let permanent = 0;
  let transient = 0;
  for (;;) {
    try {
      await fn();
      return true;
    } catch (e) {
      onFail?.(e);
      if (isTransient(e)) {
        transient += 1;
        if (transient > 12) throw e;
        opts.log('warn', 'transient failure; retrying', { consumer: opts.name, attempt: transient, error: (e as Error).message });
        await sleep(Math.min(200 * 2 ** transient, 5_000));
        await heartbeat().catch(() => undefined);
        continue;
      }
      permanent += 1;
      if (e instanceof PermanentError || permanent >= attempts) return false;
      await sleep(100 * permanent);
    }
  }
}

function toIncoming<T>(topic: string, partition: number, m: KafkaMessage, value: T): Incoming<T> {
  return { topic, partition, offset: m.offset, key: m.key?.toString() ?? null, timestamp: m.timestamp, value };
}

function letter(consumer: string, topic: string, partition: number, m: KafkaMessage, code: string, reason: string): DeadLetter {
  return { consumer, topic, partition, offset: m.offset, key: m.key?.toString() ?? null, code, reason, raw: m.value?.toString() ?? null };
}
