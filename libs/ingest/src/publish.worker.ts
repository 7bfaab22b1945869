// The publishing thread of threadPublisher (publisher.ts): owns an idempotent producer and
// sends the batches it is handed one at a time, in the order received, acknowledging each to
// the main thread once Kafka has (acks=-1). After a failure it sends nothing more: a later batch
// must not overtake one that was not written.
import { parentPort, workerData } from 'node:worker_threads';
import { createKafka } from '@trial/messaging';
import { FromThread, ThreadData, ToThread, createIngestProducer, sendFinal, sendPacked } from './publisher';

const port = parentPort;
if (port === null) throw new Error('publish.worker must run in a worker thread');
const data = workerData as ThreadData;
const post = (m: FromThread): void => port.postMessage(m);

const kafka = createKafka(data.brokers, data.clientId, (level, message, fields) => {
  try {
    post({ t: 'log', level, message, fields });
  } catch {
    // Fields that cannot be cloned: the message alone.
    post({ t: 'log', level, message });
  }
});
const producer = createIngestProducer(kafka);

let stopped = false;
let queue: Promise<void> = producer.connect();

/** Runs `task` after everything queued before it, unless a task failed or the main thread closed us. */
function enqueue(task: () => Promise<void>): void {
  queue = queue
    .then(() => (stopped ? undefined : task()))
    .catch((e: unknown) => {
      if (stopped) return;
      stopped = true;
      const error =
        e instanceof Error ? { name: e.name, message: e.message, stack: e.stack ?? null } : { name: 'Error', message: String(e), stack: null };
      post({ t: 'failed', error });
    });
}

port.on('message', (m: ToThread) => {
  switch (m.t) {
    case 'batch':
      enqueue(async () => {
        await sendPacked(producer, data.topics, m.batch);
        post({ t: 'acked' });
      });
      return;
    case 'finish':
      enqueue(async () => {
        if (m.last) await sendFinal(producer, data.topics, m.last);
        post({ t: 'finished' });
      });
      return;
    case 'close':
      // Batches still queued are dropped (the ingest has ended or failed); one being sent settles.
      stopped = true;
      void queue
        .then(() => producer.disconnect())
        .catch(() => undefined)
        .then(() => port.close());
      return;
    default: {
      const never: never = m;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
});
