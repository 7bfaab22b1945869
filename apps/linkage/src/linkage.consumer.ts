import { Controller, Inject, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Producer } from 'kafkajs';
import { AppConfig } from '@trial/config';
import { EnrollmentEvent, RegistryNotification, ReviewDecided, TopicNames } from '@trial/contracts';
import { Incoming, Log, PartitionBatch } from '@trial/messaging';
import { applyWithCheckpoint, OutboxRelay } from '@trial/storage';
import { LinkageApplier } from '@trial/linkstore';
import { CLOCK, Clock, CONFIG, LOG, PRODUCER, TOPICS } from '@trial/platform';

const CONSUMER = 'linkage';

/**
 * Wires the three input topics to @trial/linkstore: each partition batch is applied, its
 * outcome events enqueued in the outbox and its checkpoint advanced in one transaction.
 * State is scoped by the topic prefix, so pipelines sharing a database stay apart.
 */
@Controller()
export class LinkageConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly relay: OutboxRelay;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly now: Clock,
    @Inject(LOG) private readonly log: Log,
    @Inject(PRODUCER) producer: Producer,
  ) {
    this.relay = new OutboxRelay(ds, producer, log);
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }

  @EventPattern('enrollments')
  onEnrollments(batch: PartitionBatch<EnrollmentEvent>): Promise<void> {
    return this.apply(batch, (a, e) => a.enrollment(e));
  }

  @EventPattern('notifications')
  onNotifications(batch: PartitionBatch<RegistryNotification>): Promise<void> {
    return this.apply(batch, (a, n) => a.notification(n));
  }

  @EventPattern('reviews')
  onReviews(batch: PartitionBatch<ReviewDecided>): Promise<void> {
    return this.apply(batch, (a, r) => a.review(r));
  }

  private async apply<T>(batch: PartitionBatch<T>, one: (a: LinkageApplier, value: T) => Promise<void>): Promise<void> {
    const stats = await applyWithCheckpoint(this.ds, CONSUMER, batch.topic, batch.partition, batch.messages, batch.lastOffset,
      async (tx: EntityManager, fresh: Incoming<T>[]) => {
        if (!fresh.length) return null;
        const applier = new LinkageApplier(tx, this.config.TOPIC_PREFIX, this.topics.outcomes, this.now(), this.log);
        await applier.begin();
        for (const m of fresh) {
          const poison = await applier.guarded(() => one(applier, m.value));
          if (poison) {
            await applier.deadLetter({ topic: m.topic, partition: m.partition, offset: m.offset, key: m.key }, m.value, poison);
            this.log('warn', 'message sent to DLQ', { consumer: CONSUMER, topic: m.topic, partition: m.partition, offset: m.offset, code: poison.code });
          }
        }
        return applier.finish();
      });
    if (stats) {
      this.log('debug', 'linkage batch applied', { topic: batch.topic, partition: batch.partition, lastOffset: batch.lastOffset, ...stats });
      this.relay.kick();
    }
  }
}
