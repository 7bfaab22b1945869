import { Message, Producer } from 'kafkajs';
import { TopicNames } from '@trial/contracts';
import { Planned } from './plan';

/** Where a planned message landed: `<topic>:<partition>:<offset>`, the DLQ record's `source`. */
export const positionKey = (topic: string, partition: number, offset: string | number | bigint) => `${topic}:${partition}:${String(offset)}`;

const BATCH_BYTES = 700_000; // per partition and request: the broker refuses a record batch over 1 MB
const ALONE_BYTES = 400_000;
const MAX_MESSAGES = 500;

/**
 * Sends planned messages in their order, to their planned partitions, with an idempotent
 * producer (one request in flight, so nothing is reordered), and returns each one's position,
 * computed from the base offset the broker gave its partition's batch.
 */
export async function sendPlanned(producer: Producer, topics: TopicNames, messages: readonly Planned[]): Promise<Map<number, string>> {
  const where = new Map<number, string>();
  let chunk: Planned[] = [];
  let bytes = new Map<string, number>();
  const flush = async () => {
    if (!chunk.length) return;
    const groups = new Map<string, Planned[]>();
    for (const m of chunk) {
      const k = `${m.topic}\u0000${m.partition}`;
      groups.set(k, [...(groups.get(k) ?? []), m]);
    }
    const byTopic = new Map<string, Message[]>();
    for (const m of chunk) {
      const list = byTopic.get(topics[m.topic]) ?? [];
      list.push({ key: m.key, value: m.value, partition: m.partition });
      byTopic.set(topics[m.topic], list);
    }
    const meta = await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, ms]) => ({ topic, messages: ms })) });
    for (const [k, ms] of groups) {
      const [logical, partition] = k.split('\u0000');
      const topic = topics[logical as keyof TopicNames];
      const r = meta.find((x) => x.topicName === topic && x.partition === Number(partition));
      if (!r?.baseOffset) throw new Error(`no base offset for ${topic} partition ${partition}`);
      ms.forEach((m, i) => where.set(m.seq, positionKey(topic, m.partition, BigInt(r.baseOffset!) + BigInt(i))));
    }
    chunk = [];
    bytes = new Map();
  };
  for (const m of messages) {
    const size = (m.value?.length ?? 0) + (m.key?.length ?? 0);
    const k = `${m.topic}\u0000${m.partition}`;
    if (size > ALONE_BYTES || (bytes.get(k) ?? 0) + size > BATCH_BYTES || chunk.length >= MAX_MESSAGES) await flush();
    chunk.push(m);
    bytes.set(k, (bytes.get(k) ?? 0) + size);
    if (size > ALONE_BYTES) await flush();
  }
  await flush();
  return where;
}
