import { Controller, Inject, OnApplicationBootstrap, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Producer } from 'kafkajs';
import { AppConfig } from '@trial/config';
import { EnrollmentEvent, RegistryNotification, ReviewDecided, TopicNames } from '@trial/contracts';
import { Incoming, Log, PartitionBatch, failureCode } from '@trial/messaging';
import { applyWithCheckpoint, OutboxRelay } from '@trial/storage';
import { LinkageApplier, PatientMirror, Poison, refreshPriors } from '@trial/linkage-service';
import { CLOCK, Clock, CONFIG, countDecisions, LOG, METRICS, PRODUCER, ServiceMetrics, TOPICS } from '@trial/platform';

const CONSUMER = 'linkage';
/** How often each instance refreshes λ (priors.ts), so the last λ applies even when the input goes quiet. */
const PRIOR_EVERY_MS = 2_000;

/**
 * Wires the three input topics to @trial/linkage-service: each partition batch is applied, its
 * outcome events enqueued in the outbox and its checkpoint advanced in one transaction.
 * State is scoped by the topic prefix, so pipelines sharing a database stay apart.
 */
@Controller()
export class LinkageConsumer implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly relay: OutboxRelay;
  /** This instance's copy of every patient of the scope (each instance holds its own). */
  private readonly mirror = new PatientMirror();
  private priorTimer: NodeJS.Timeout | null = null;
  private priorRun: Promise<void> | null = null;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly now: Clock,
    @Inject(LOG) private readonly log: Log,
    @Inject(PRODUCER) producer: Producer,
    @Inject(METRICS) private readonly metrics: ServiceMetrics,
  ) {
    this.relay = new OutboxRelay(ds, producer, log);
  }

  onApplicationBootstrap(): void {
    this.relay.start();
    // Nest calls this hook again when the microservice transport initialises: one timer only.
    if (this.priorTimer) return;
    this.priorTimer = setInterval(() => {
      if (this.priorRun) return;
      this.priorRun = this.refreshPriors().finally(() => {
        this.priorRun = null;
      });
    }, PRIOR_EVERY_MS);
    this.priorTimer.unref();
  }

  /** Before the data source closes (TypeORM closes it at application shutdown). */
  async onModuleDestroy(): Promise<void> {
    if (this.priorTimer) clearInterval(this.priorTimer);
    this.priorTimer = null;
    await this.priorRun;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }

  /** One λ refresh of every trial (a failure is retried at the next tick: nothing is lost meanwhile). */
  private async refreshPriors(): Promise<void> {
    try {
      const changes = await refreshPriors(this.ds, this.config.TOPIC_PREFIX, this.topics.outcomes, this.now, this.log, this.mirror);
      for (const c of changes) this.log('info', 'linkage prior moved', { ...c });
      if (changes.some((c) => c.redecided > 0)) this.relay.kick();
    } catch (e) {
      this.log('warn', 'linkage prior refresh failed; will retry', { error: failureCode(e) });
    }
  }

  @EventPattern('enrollments')
  onEnrollments(batch: PartitionBatch<EnrollmentEvent>): Promise<void> {
    return this.apply(batch, (a, vs) => a.enrollments(vs));
  }

  @EventPattern('notifications')
  onNotifications(batch: PartitionBatch<RegistryNotification>): Promise<void> {
    return this.apply(batch, (a, vs) => a.notifications(vs));
  }

  @EventPattern('reviews')
  onReviews(batch: PartitionBatch<ReviewDecided>): Promise<void> {
    return this.apply(batch, (a, vs) => a.reviews(vs));
  }

  /**
   * One partition batch in one transaction: applied in bulk, the refused messages (found
   * before anything is written, so they changed nothing) dead-lettered through the outbox.
   */
  private async apply<T>(batch: PartitionBatch<T>, all: (a: LinkageApplier, values: T[]) => Promise<Poison[]>): Promise<void> {
    let refused: string[] = []; // codes of this attempt's dead letters: counted once it commits
    const stats = await applyWithCheckpoint(
      this.ds,
      CONSUMER,
      batch.topic,
      batch.partition,
      batch.messages,
      batch.lastOffset,
      async (tx: EntityManager, fresh: Incoming<T>[]) => {
        refused = [];
        if (!fresh.length) return null;
        const applier = new LinkageApplier(tx, this.config.TOPIC_PREFIX, this.topics.outcomes, this.now(), this.log, {
          mirror: this.mirror,
          writer: `${batch.topic}:${batch.partition}`,
        });
        await applier.begin();
        for (const { index, error } of await all(
          applier,
          fresh.map((m) => m.value),
        )) {
          const m = fresh[index];
          await applier.deadLetter({ topic: m.topic, partition: m.partition, offset: m.offset, key: m.key }, m.value, error);
          refused.push(error.code);
          this.log('warn', 'message sent to DLQ', { consumer: CONSUMER, topic: m.topic, partition: m.partition, offset: m.offset, code: error.code });
        }
        return applier.finish();
      },
    );
    for (const code of refused) this.metrics.deadLettered.inc({ consumer: CONSUMER, topic: batch.topic, code });
    if (stats) {
      countDecisions(this.metrics, stats.outcomes);
      this.log('debug', 'linkage batch applied', { topic: batch.topic, partition: batch.partition, lastOffset: batch.lastOffset, ...stats });
      this.relay.kick();
    }
  }
}
