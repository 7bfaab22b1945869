import { Message, Producer } from 'kafkajs';

/** A message ready to send: its topic, key, serialised value and headers. */
export interface Outgoing {
  topic: string;
  key: string;
  value: string;
  headers?: Record<string, string>;
}

/**
 * What one produce request may carry. The broker limits a partition's whole record batch
 * (max.message.bytes, 1 MB), not each record, and a dead letter can be ~350 KB, so several in
 * one request were refused and the sender retried the refusal for ever.
 */
export const MAX_REQUEST_BYTES = 512 * 1024;

/**
 * Sends messages in their order, in requests of at most `maxBytes` (a message larger than that
 * goes alone), each acknowledged by all in-sync replicas before the next is sent, so a key's
 * messages never overtake one another. Used by the DLQ and the outbox relay.
 */
export async function sendInRequests(producer: Producer, messages: readonly Outgoing[], maxBytes = MAX_REQUEST_BYTES): Promise<void> {
  for (const request of bySize(messages, maxBytes)) {
    const byTopic = new Map<string, Message[]>();
    for (const m of request) {
      const list = byTopic.get(m.topic) ?? [];
      list.push({ key: m.key, value: m.value, headers: m.headers });
      byTopic.set(m.topic, list);
    }
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list })) });
  }
}

/** Consecutive runs of messages whose bytes (key, value, headers) stay within `maxBytes`. */
export function bySize(messages: readonly Outgoing[], maxBytes: number): Outgoing[][] {
  const out: Outgoing[][] = [];
  let size = 0;
  for (const m of messages) {
    const bytes = bytesOf(m);
    if (!out.length || size + bytes > maxBytes) {
      out.push([]);
      size = 0;
    }
    out[out.length - 1].push(m);
    size += bytes;
  }
  return out;
}

function bytesOf(m: Outgoing): number {
  let n = Buffer.byteLength(m.key) + Buffer.byteLength(m.value);
  for (const [k, v] of Object.entries(m.headers ?? {})) n += Buffer.byteLength(k) + Buffer.byteLength(v);
  return n;
}
