import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { Consumer, Kafka, Producer } from 'kafkajs';
import { isObservable, lastValueFrom } from 'rxjs';
import {
  decode, enrollmentEvent, outcomeEvent, registryNotification, reviewDecided, TopicNames,
} from '@trial/contracts';
import { Log, PartitionBatch, runConsumer } from '@trial/messaging';

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
}

/**
 * A Nest microservice transport over kafkajs `eachBatch`. Nest's built-in Kafka transport
 * hands over one message at a time and commits offsets itself; projections here need a
 * whole partition batch so that effects and the checkpoint commit in one transaction. Each
 * `@EventPattern('<logical topic>')` handler receives a `PartitionBatch` of schema-valid
 * messages; invalid ones go to `<topic>.dlq` with their reason before the handler runs.
 */
export class KafkaBatchServer extends Server implements CustomTransportStrategy {
  private consumer: Consumer | null = null;

  constructor(private readonly opts: KafkaBatchOptions) {
    super();
  }

  async listen(callback: (...optionalParams: unknown[]) => void): Promise<void> {
    const logical = [...this.messageHandlers.keys()] as TopicName[];
    const byTopic = new Map(logical.map((l) => [this.opts.topics[l], l] as const));
    this.consumer = await runConsumer({
      kafka: this.opts.kafka,
      producer: this.opts.producer,
      name: this.opts.name,
      groupId: this.opts.groupId,
      topics: [...byTopic.keys()],
      log: this.opts.log,
      now: this.opts.now,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently,
      decode: (topic, raw) => decode(schemas[byTopic.get(topic)!], raw),
      handle: async (batch: PartitionBatch<unknown>) => {
        const handler = this.getHandlerByPattern(byTopic.get(batch.topic)!);
        if (!handler) throw new Error(`no handler for ${batch.topic}`);
        const result = await handler(batch);
        if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
      },
    });
    callback();
  }

  async close(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = null;
  }

  on(): never {
    throw new Error('KafkaBatchServer does not emit transport events');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }
}
