import { Readable } from 'node:stream';
import { Kafka } from 'kafkajs';
import { notificationKey, RegistryNotification, RegistrySource, TopicNames } from '@trial/contracts';
import { createProducer } from '@trial/messaging';
import { readRegistry } from '@trial/registry';

export interface ExtractSummary {
  published: number;
  rejected: number;
}

/**
 * Publishes one registry extract: every valid row keyed `source:recordId`, then
 * `extract-complete` once all rows are acknowledged.
 */
export async function ingestExtract(kafka: Kafka, topics: TopicNames, input: Readable,
  o: { source: RegistrySource; completeUpTo: string; extractedOn: string }): Promise<ExtractSummary> {
  const producer = createProducer(kafka);
  await producer.connect();
  let published = 0;
  let rejected = 0;
  let batch: RegistryNotification[] = [];
  const flush = async () => {
    if (!batch.length) return;
    await producer.send({ topic: topics.notifications, acks: -1, messages: batch.map((n) => ({ key: notificationKey(n), value: JSON.stringify(n) })) });
    published += batch.length;
    batch = [];
  };
  try {
    for await (const row of readRegistry(input, { extractedOn: o.extractedOn })) {
      if (!row.ok) { rejected += 1; continue; }
      batch.push(row.record);
      if (batch.length >= 500) await flush();
    }
    await flush();
    const complete: RegistryNotification = { v: 1, source: o.source, kind: 'extract-complete', completeUpTo: o.completeUpTo, extractedOn: o.extractedOn };
    await producer.send({ topic: topics.notifications, acks: -1, messages: [{ key: notificationKey(complete), value: JSON.stringify(complete) }] });
    return { published, rejected };
  } finally {
    await producer.disconnect();
  }
}
