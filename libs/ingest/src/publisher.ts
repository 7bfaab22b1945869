import { Worker } from 'node:worker_threads';
import { CompressionTypes, Kafka, Producer, TopicMessages } from 'kafkajs';
import { workerScript } from '@trial/contracts';
import { withCheckedAcks, type Log } from '@trial/messaging';
import { PackedBatch, transferables, unpack } from './batch';
import { JavaCompatiblePartitioner } from './partitioner';

/** The topics an ingest writes: notifications and their dead letters. */
export interface PublishTopics {
  notifications: string;
  deadLetters: string;
}

/** One message published after every batch is acknowledged (`extract-complete`). */
export interface FinalMessage {
  key: string;
  value: string;
}

/**
 * Where an ingest's batches go. Batches are sent one at a time, in the order given, each only
 * after the one before it is acknowledged (acks=-1): with kafkajs's idempotent producer, a batch
 * sent while an earlier one is being retried would take that one's sequence numbers and be
 * written first (kafkajs does not re-sequence retried batches as the Java client does), so
 * concurrent sends could reorder a partition. The broker sees one request at a time either way.
 */
export interface Publisher {
  /** Hands a batch over; resolves when there is room for another (a bounded number queued). */
  publish(batch: PackedBatch): Promise<void>;
  /** Resolves once every batch is acknowledged and then `last`, when given, is too. */
  finish(last: FinalMessage | null): Promise<void>;
  /** Releases the publisher; a send under way settles first, batches not yet sent are dropped. */
  close(): Promise<void>;
}

/**
 * An idempotent producer with @trial/messaging's createProducer settings (acks from all in-sync
 * replicas, one request in flight) and kafkajs's default partitioning computed faster.
 */
export function createIngestProducer(kafka: Kafka): Producer {
  // Checked like createProducer's: kafkajs can resolve a send that lost a partition (withCheckedAcks).
  return withCheckedAcks(
    kafka,
    kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: JavaCompatiblePartitioner }),
    JavaCompatiblePartitioner,
  );
}

export async function sendPacked(producer: Producer, topics: PublishTopics, batch: PackedBatch): Promise<void> {
  const topicMessages: TopicMessages[] = [];
  if (batch.count > 0) topicMessages.push({ topic: topics.notifications, messages: unpack(batch) });
  if (batch.deadLetters.length > 0) topicMessages.push({ topic: topics.deadLetters, messages: batch.deadLetters });
  if (topicMessages.length > 0) await producer.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages });
}

export async function sendFinal(producer: Producer, topics: PublishTopics, last: FinalMessage): Promise<void> {
  await producer.send({ topic: topics.notifications, acks: -1, compression: CompressionTypes.None, messages: [last] });
}

/** Publishes through `producer` on this thread (the caller's, connected and left connected). */
export function producerPublisher(producer: Producer, topics: PublishTopics): Publisher {
  let last: Promise<void> = Promise.resolve();
  return {
    async publish(batch) {
      const previous = last;
      last = previous.then(() => sendPacked(producer, topics, batch));
      // Marked handled: a failure surfaces from the next publish or from finish.
      last.catch(() => undefined);
      // At most one batch in flight while the caller builds the next.
      await previous;
    },
    async finish(message) {
      await last;
      if (message) await sendFinal(producer, topics, message);
    },
    async close() {
      await last.catch(() => undefined);
    },
  };
}

export interface ThreadOptions {
  brokers: string;
  clientId: string;
  /** kafkajs's warnings and errors from the thread. */
  log?: Log;
}

/** What the publishing thread is started with (workerData). */
export interface ThreadData {
  brokers: string;
  clientId: string;
  topics: PublishTopics;
}

export type ToThread = { t: 'batch'; batch: PackedBatch } | { t: 'finish'; last: FinalMessage | null } | { t: 'close' };

export type FromThread =
  | { t: 'acked' }
  | { t: 'finished' }
  | { t: 'failed'; error: { name: string; message: string; stack: string | null } }
  | { t: 'log'; level: Parameters<Log>[0]; message: string; fields?: Record<string, unknown> };

/** Batches handed to the thread and not yet acknowledged: one in flight and one or two waiting. */
const MAX_QUEUED = 3;

/**
 * Publishes from a worker thread with a producer of its own, so that kafkajs's encoding and
 * sending (about half of an ingest's work) run on a second core while this thread reads and
 * validates the file. Batches cross as transferred buffers; one producer sends them in order, so
 * per-key ordering and ack-before-`extract-complete` hold as on this thread.
 */
export function threadPublisher(options: ThreadOptions, topics: PublishTopics): Publisher {
  const data: ThreadData = { brokers: options.brokers, clientId: options.clientId, topics };
  // The compiled worker inherits this process's node flags; the .ts one (tests, tsx) is loaded through tsx.
  const { file, execArgv } = workerScript(__dirname, 'publish.worker');
  const worker = new Worker(file, { workerData: data, execArgv });
  let posted = 0;
  let acked = 0;
  let finished = false;
  let failure: Error | null = null;
  let exited = false;
  let closing = false;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  worker.on('message', (m: FromThread) => {
    switch (m.t) {
      case 'acked':
        acked++;
        break;
      case 'finished':
        finished = true;
        break;
      case 'failed':
        failure ??= Object.assign(new Error(m.error.message), { name: m.error.name, stack: m.error.stack ?? undefined });
        break;
      case 'log':
        options.log?.(m.level, m.message, m.fields);
        break;
      default: {
        const never: never = m;
        throw new Error(`unknown message ${JSON.stringify(never)}`);
      }
    }
    notify();
  });
  worker.on('error', (e) => {
    failure ??= e;
    notify();
  });
  worker.on('exit', (code) => {
    exited = true;
    if (!closing) failure ??= new Error(`the publishing thread stopped unexpectedly (exit code ${code})`);
    notify();
  });
  const until = async (done: () => boolean): Promise<void> => {
    for (;;) {
      if (failure !== null) throw failure;
      if (done()) return;
      if (exited) throw new Error('the publishing thread has stopped');
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  const post = (m: ToThread, transfer: ArrayBuffer[] = []): void => worker.postMessage(m, transfer);
  return {
    async publish(batch) {
      if (failure !== null) throw failure;
      post({ t: 'batch', batch }, transferables(batch));
      posted++;
      await until(() => posted - acked < MAX_QUEUED);
    },
    async finish(last) {
      post({ t: 'finish', last });
      await until(() => finished);
    },
    async close() {
      if (exited) return;
      closing = true;
      post({ t: 'close' });
      const stopped = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      // The thread disconnects its producer and ends; a producer that will not disconnect
      // (a broker gone mid-retry) must not keep the caller waiting for ever.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 15_000)));
      if ((await Promise.race([stopped, late])) === 'late') await worker.terminate();
      clearTimeout(timer);
    },
  };
}
