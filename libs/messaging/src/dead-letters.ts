import { Producer } from 'kafkajs';
import { dlqOf } from '@trial/contracts';

/** Where a message that cannot be used came from, and why it was set aside. */
export interface DeadLetter {
  consumer: string;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  code: string;
  reason: string;
  raw: string | null;
}

/**
 * The DLQ record is JSON so a person reading `<topic>.dlq` with kcat sees the reason, the
 * origin and the original bytes. Keyed by origin so a duplicate is recognisable.
 */
export async function sendToDlq(producer: Producer, letters: DeadLetter[], failedAt: string): Promise<void> {
  const byTopic = new Map<string, DeadLetter[]>();
  for (const l of letters) byTopic.set(l.topic, [...(byTopic.get(l.topic) ?? []), l]);
  await producer.sendBatch({
    acks: -1,
    topicMessages: [...byTopic].map(([topic, ls]) => ({
      topic: dlqOf(topic),
      messages: ls.map((l) => ({
        key: `${l.topic}:${l.partition}:${l.offset}`,
        value: JSON.stringify({
          code: l.code, reason: l.reason, consumer: l.consumer, failedAt,
          source: { topic: l.topic, partition: l.partition, offset: l.offset, key: l.key },
          original: l.raw,
        }),
        headers: { 'dlq-reason': l.reason.slice(0, 1000), 'dlq-code': l.code },
      })),
    })),
  });
}
