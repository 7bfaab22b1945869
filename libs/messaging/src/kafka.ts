import { Admin, Kafka, KafkaJSProtocolError, logLevel, LogEntry, Partitioners, Producer, CompressionTypes, Message } from 'kafkajs';
import { TopicSpec } from '@trial/contracts';
import { withCheckedAcks } from './checked-send';

export type Log = (level: 'error' | 'warn' | 'info' | 'debug', msg: string, fields?: Record<string, unknown>) => void;

/** kafkajs client whose own logs go through our structured logger. */
export function createKafka(brokers: string, clientId: string, log: Log): Kafka {
  // Keys are hashed with the Java-compatible murmur2 partitioner (kafkajs 2's default), as intended.
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
    [logLevel.ERROR]: 'error',
    [logLevel.WARN]: 'warn',
    [logLevel.INFO]: 'info',
    [logLevel.DEBUG]: 'debug',
  };
  return new Kafka({
    clientId,
    brokers: brokers.split(','),
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 200, retries: 8 },
    logCreator:
      () =>
      ({ namespace, level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        log(levels[level] ?? 'info', message, { kafka: namespace, ...rest });
      },
  });
}

/**
 * Creates missing topics with explicit settings; existing topics are left alone. Replication
 * follows the cluster unless `replicationFactor` is given: one broker gives factor 1, three or
 * more give factor 3 with min.insync.replicas=2, so an acks=all write survives losing a broker
 * and is refused rather than kept on one copy.
 */
export async function ensureTopics(kafka: Kafka, specs: TopicSpec[], opts: { replicationFactor?: number } = {}): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length) {
      const replicationFactor = opts.replicationFactor ?? Math.min(3, (await admin.describeCluster()).brokers.length);
      const minIsr = replicationFactor >= 3 ? [{ name: 'min.insync.replicas', value: '2' }] : [];
      await admin.createTopics({
        // kafkajs's own wait (its default) gives up on UNKNOWN_TOPIC_OR_PARTITION: ours below does not.
        waitForLeaders: false,
        topics: missing.map((s) => ({
          topic: s.topic,
          numPartitions: s.numPartitions,
          replicationFactor,
          configEntries: [{ name: 'retention.ms', value: String(s.retentionMs) }, ...minIsr],
        })),
      });
      await waitForLeaders(
        admin,
        missing.map((s) => s.topic),
      );
    }
    return missing.map((s) => s.topic);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Polls metadata until every partition of the topics has a leader. kafkajs's own
 * `waitForLeaders` retries only LEADER_NOT_AVAILABLE, but a KRaft broker that has not yet
 * applied the new topic's metadata answers UNKNOWN_TOPIC_OR_PARTITION, which kafkajs gave up
 * on at once (seen under load: a suite failed with "This server does not host this
 * topic-partition" right after creating its topics). Both answers mean "not yet".
 */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      if (meta.length === topics.length && meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (e) {
      if (!(e instanceof KafkaJSProtocolError) || !NOT_YET.has(e.type)) throw e;
    }
    if (Date.now() > deadline) throw new Error(`topics have no leader after ${timeoutMs / 1000} s: ${topics.join(', ')}`);
    await new Promise((r) => setTimeout(r, delay));
  }
}
const NOT_YET = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const ours = topics.filter((t) => existing.has(t));
    if (ours.length) await admin.deleteTopics({ topics: ours, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}

/**
 * An idempotent producer (acks from all in-sync replicas, one in flight per partition, so a
 * retry never duplicates or reorders). Values are JSON.
 */
export function createProducer(kafka: Kafka): Producer {
  // Checked: kafkajs can resolve a send that lost a partition's messages (see withCheckedAcks).
  return withCheckedAcks(
    kafka,
    kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false }),
    Partitioners.DefaultPartitioner,
  );
}

export interface OutMessage {
  key: string;
  value: unknown;
  headers?: Record<string, string>;
}

export async function publish(producer: Producer, topic: string, messages: OutMessage[]) {
  const kafkaMessages: Message[] = messages.map((m) => ({ key: m.key, value: JSON.stringify(m.value), headers: m.headers }));
  return producer.send({ topic, messages: kafkaMessages, acks: -1, compression: CompressionTypes.None });
}
