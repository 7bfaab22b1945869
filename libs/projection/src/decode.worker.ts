// The worker side of the log's decoding (log-decoder.ts): each message takes the main thread's
// batches of raw message values, decodes them with the topic's schema and hashes each event's
// content, and posts the events and hashes back under the batch's sequence number.
import { parentPort } from 'node:worker_threads';
import { contentHash, decode, enrollmentEvent, outcomeEvent } from '@trial/contracts';
import type { LogEvent } from '@trial/readmodel';
import { unpackValues, type Decoded, type ToDecode } from './decode-protocol';

const port = parentPort;
if (port === null) throw new Error('decode.worker must run in a worker thread');

port.on('message', (m: ToDecode) => {
  const schema = m.kind === 'enrollments' ? enrollmentEvent : outcomeEvent;
  const events: LogEvent[] = [];
  const hashes: string[] = [];
  let invalid = 0;
  for (const value of unpackValues(m.packed)) {
    const d = decode(schema, value);
    if (!d.ok) {
      invalid++;
      continue;
    }
    const e = d.value as LogEvent;
    events.push(e);
    hashes.push(contentHash(e));
  }
  const out: Decoded = { seq: m.seq, events, hashes, invalid };
  port.postMessage(out);
});
