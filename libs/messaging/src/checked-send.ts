import {
  ICustomPartitioner,
  Kafka,
  Message,
  PartitionMetadata,
  Producer,
  ProducerBatch,
  ProducerRecord,
  RecordMetadata,
  TopicMessages,
} from 'kafkajs';

/**
 * kafkajs 2.2.4 can resolve a send without writing all of it. Its per-broker responses are kept
 * across retries and a retry only goes to brokers without one, so when a broker fails part of a
 * send (it is no longer leader: it died, or came back as a follower) and its partitions' new
 * leader had already answered for others, those partitions are never sent (kafkajs issue #1303,
 * PR #1798; `npx tsx bench/chaos/lost-send.ts` shows 24 of 120 messages lost). The returned
 * acknowledgements then lack those partitions, which is how this wrapper notices.
 *
 * So every message gets an explicit partition (the producer's own partitioner's choice, so
 * nothing moves), and the messages of any partition the acknowledgements do not name are sent
 * again, until every partition is acknowledged. Safe against doubles: a partition left out of
 * every acknowledgement was refused by its old leader, and the idempotent producer's sequence
 * numbers make the broker drop a batch it already holds.
 */
/** Look-ups of a topic's partition count before a send gives up (waits 0.1, 0.2, ... 1.6 s). */
const METADATA_ATTEMPTS = 6;

export function withCheckedAcks(kafka: Kafka, producer: Producer, createPartitioner: ICustomPartitioner): Producer {
  const partitioner = createPartitioner();
  const counts = new Map<string, Promise<number>>();
  const partitionCount = (topic: string): Promise<number> => {
    let n = counts.get(topic);
    if (!n) {
      n = (async () => {
        const admin = kafka.admin();
        await admin.connect();
        try {
          // While a broker dies or comes back, the broker asked may not host the topic yet
          // (UNKNOWN_TOPIC_OR_PARTITION, retriable): ask again a few times before failing the send.
          for (let attempt = 1; ; attempt++) {
            try {
              const meta = await admin.fetchTopicMetadata({ topics: [topic] });
              return meta.topics[0].partitions.length;
            } catch (err) {
              if (attempt >= METADATA_ATTEMPTS || (err as { retriable?: boolean }).retriable !== true) throw err;
              await new Promise((r) => setTimeout(r, 100 * 2 ** (attempt - 1)));
            }
          }
        } finally {
          await admin.disconnect().catch(() => undefined);
        }
      })();
      // A failed look-up is asked again next time, not remembered.
      n.catch(() => counts.delete(topic));
      counts.set(topic, n);
    }
    return n;
  };
  const place = async (t: TopicMessages): Promise<TopicMessages> => {
    if (t.messages.every((m) => typeof m.partition === 'number')) return t;
    const n = await partitionCount(t.topic);
    const partitionMetadata: PartitionMetadata[] = Array.from({ length: n }, (_, i) => ({
      partitionErrorCode: 0,
      partitionId: i,
      leader: 0,
      replicas: [0],
      isr: [0],
    }));
    return {
      topic: t.topic,
      messages: t.messages.map((message): Message => ({
        ...message,
        partition: message.partition ?? partitioner({ topic: t.topic, partitionMetadata, message }),
      })),
    };
  };
  const sendBatch = async (batch: ProducerBatch): Promise<RecordMetadata[]> => {
    let pending = await Promise.all((batch.topicMessages ?? []).map(place));
    const acks: RecordMetadata[] = [];
    for (let attempt = 1; ; attempt++) {
      const got = await producer.sendBatch({ ...batch, topicMessages: pending });
      acks.push(...got);
      const acked = new Set(got.map((r) => `${r.topicName}/${r.partition}`));
      pending = pending
        .map((t) => ({ topic: t.topic, messages: t.messages.filter((m) => !acked.has(`${t.topic}/${m.partition}`)) }))
        .filter((t) => t.messages.length > 0);
      if (!pending.length) return acks;
      if (attempt >= 10)
        throw new Error(
          `kafka: partitions ${pending.map((t) => `${t.topic}/${[...new Set(t.messages.map((m) => m.partition))].join(',')}`).join(' ')} never acknowledged`,
        );
    }
  };
  const send = ({ topic, messages, ...rest }: ProducerRecord): Promise<RecordMetadata[]> =>
    sendBatch({ ...rest, topicMessages: [{ topic, messages }] });
  return { ...producer, send, sendBatch };
}
