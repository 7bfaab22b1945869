import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { Kafka, Producer } from 'kafkajs';
import { isObservable, lastValueFrom } from 'rxjs';
import { decode, enrollmentEvent, outcomeEvent, registryNotification, reviewDecided, TopicNames } from '@trial/contracts';
import {
  ConsumerHooks,
  ConsumerStatus,
  ConsumerTiming,
  FetchSizes,
  Log,
  OffsetCommits,
  Park,
  PartitionBatch,
  RunningConsumer,
  startConsumer,
  isBatchHandled,
  type BatchHandled,
} from '@trial/messaging';

/** The logical topics a handler can subscribe to with `@EventPattern(...)`. */
export type TopicName = keyof TopicNames;

const schemas = {
  enrollments: enrollmentEvent,
  notifications: registryNotification,
  outcomes: outcomeEvent,
  reviews: reviewDecided,
} as const;

export interface KafkaBatchOptions {
  kafka: Kafka;
  producer: Producer;
  name: string;
  groupId?: string;
  topics: TopicNames;
  log: Log;
  now: () => string;
  /** Partition batches handled at once (see runConsumer); default 1. */
  partitionsConsumedConcurrently?: number;
  /** Fetch sizes (see runConsumer); kafkajs' defaults when not given. */
  fetch?: FetchSizes;
  /** When Kafka offsets are committed (see runConsumer); after every batch when not given. */
  offsetCommits?: OffsetCommits;
  /** Where dead letters too large for the DLQ go. */
  park: Park;
  /** Read by /health. */
  status: ConsumerStatus;
  /** For metrics (see ./metrics); none when not given. */
  hooks?: ConsumerHooks;
  timing?: Partial<ConsumerTiming>;
}

/**
 * A Nest microservice transport over kafkajs `eachBatch`. Nest's built-in Kafka transport
 * hands over one message at a time and commits offsets itself; projections here need a
 * whole partition batch so that effects and the checkpoint commit in one transaction. Each
 * `@EventPattern('<logical topic>')` handler receives a `PartitionBatch` of schema-valid
 * messages; invalid ones go to `<topic>.dlq` with their reason before the handler runs.
 *
 * `listen` only registers the handlers; `begin` starts consuming. So the HTTP port (and
 * /health, not ready meanwhile) can open first: joining a group whose dead member has not
 * yet timed out takes seconds, and a service must answer while it waits.
 */
export class KafkaBatchServer extends Server implements CustomTransportStrategy {
  private consumer: RunningConsumer | null = null;
  private topicsByName = new Map<string, TopicName>();
  private closed = false;

  constructor(private readonly opts: KafkaBatchOptions) {
    super();
  }

  async listen(callback: (...optionalParams: unknown[]) => void): Promise<void> {
    const logical = [...this.messageHandlers.keys()] as TopicName[];
    this.topicsByName = new Map(logical.map((l) => [this.opts.topics[l], l] as const));
    callback();
  }

  /** Starts the consumer (it restarts itself from then on); resolves once it joined its group. */
  async begin(): Promise<void> {
    if (this.closed) return;
    if (this.consumer) return this.consumer.joined();
    const byTopic = this.topicsByName;
    this.consumer = startConsumer({
      kafka: this.opts.kafka,
      producer: this.opts.producer,
      name: this.opts.name,
      groupId: this.opts.groupId,
      topics: [...byTopic.keys()],
      log: this.opts.log,
      now: this.opts.now,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently,
      fetch: this.opts.fetch,
      offsetCommits: this.opts.offsetCommits,
      park: this.opts.park,
      status: this.opts.status,
      timing: this.opts.timing,
      hooks: this.opts.hooks,
      decode: (topic, raw) => decode(schemas[byTopic.get(topic)!], raw),
      handle: async (batch: PartitionBatch<unknown>): Promise<BatchHandled | undefined> => {
        const handler = this.getHandlerByPattern(byTopic.get(batch.topic)!);
        if (!handler) throw new Error(`no handler for ${batch.topic}`);
        const result: unknown = await handler(batch);
        const value: unknown = isObservable(result) ? await lastValueFrom(result, { defaultValue: undefined }) : result;
        // What the handler says of the batch (how much was behind its checkpoint) goes back to the consumer's hooks.
        return isBatchHandled(value) ? value : undefined;
      },
    });
    await this.consumer.joined();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.consumer?.disconnect();
    this.consumer = null;
  }

  on(): never {
    throw new Error('KafkaBatchServer does not emit transport events');
  }

  unwrap<T>(): T {
    return this.consumer?.current() as T;
  }
}
