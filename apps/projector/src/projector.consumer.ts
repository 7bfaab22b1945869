import { Controller, Inject, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EnrollmentEvent, OutcomeEvent } from '@trial/contracts';
import { type BatchHandled, PartitionBatch } from '@trial/messaging';
import { AppConfig } from '@trial/config';
import { CLOCK, Clock, CONFIG, LOG, Log } from '@trial/platform';
import { PROJECTOR, ReadModelProjector } from '@trial/projection';
import { projectorProfiler } from './profiler';

/**
 * Wires both input topics to the read-model projector (@trial/projection): each partition
 * batch is applied with its checkpoint and event-id dedupe in one transaction; trial snapshots
 * are flushed right after, coalesced.
 */
@Controller()
export class ProjectorConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly projector: ReadModelProjector;

  constructor(
    @InjectDataSource() ds: DataSource,
    @Inject(CLOCK) now: Clock,
    @Inject(LOG) private readonly log: Log,
    @Inject(CONFIG) config: AppConfig,
  ) {
    this.projector = new ReadModelProjector(
      ds,
      now,
      (e) => log('error', 'read-out snapshot flush failed; retrying with the next change', { error: e instanceof Error ? e.message : String(e) }),
      PROJECTOR,
      projectorProfiler(config.PROJECTOR_PROFILE),
    );
  }

  /** Snapshots left behind by a crash between a batch's commit and its flush. */
  async onApplicationBootstrap(): Promise<void> {
    const n = await this.projector.repairStale();
    if (n) this.log('info', 'rewrote stale read-out snapshots', { trials: n });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.projector.drain().catch(() => undefined);
  }

  @EventPattern('enrollments')
  onEnrollments(batch: PartitionBatch<EnrollmentEvent>): Promise<BatchHandled> {
    return this.apply(batch);
  }

  @EventPattern('outcomes')
  onOutcomes(batch: PartitionBatch<OutcomeEvent>): Promise<BatchHandled> {
    return this.apply(batch);
  }

  /** Applies the batch; what was behind its checkpoint goes back to the consumer, which leaves it out of the metrics. */
  private async apply(batch: PartitionBatch<EnrollmentEvent | OutcomeEvent>): Promise<BatchHandled> {
    const out = await this.projector.apply(batch);
    // Counts and trial ids only: no patient data in the logs.
    this.log('debug', 'batch projected', { topic: batch.topic, partition: batch.partition, lastOffset: batch.lastOffset, ...out });
    return { behindCheckpoint: out.behindCheckpoint };
  }
}
