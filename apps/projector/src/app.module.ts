import { Module } from '@nestjs/common';
import { AppConfig, projectorSettings } from '@trial/config';
import type { OffsetCommits } from '@trial/messaging';
import { PlatformModule } from '@trial/platform';
import { ProjectorConsumer } from './projector.consumer';

/**
 * Partition batches projected at once (PROJECTOR_CONCURRENCY, a setting of @trial/config): each
 * batch is its own transaction with its own checkpoint, and trial rows serialise the per-trial
 * tail (see ReadModelProjector), so partitions need not wait for each other. For the in-process
 * tests; the service reads it from its AppConfig.
 */
export const PROJECTOR_CONCURRENCY = projectorSettings().concurrency;

/**
 * Its batches move their checkpoints in their own transactions, so Kafka's offsets are written on
 * the consumer's timer rather than before every fetch (runConsumer `offsetCommits`).
 */
export const PROJECTOR_OFFSET_COMMITS: OffsetCommits = 'interval';

/** The service's consumer options, for the in-process tests (startInProcess). */
export const PROJECTOR_IN_PROCESS = { partitionsConsumedConcurrently: PROJECTOR_CONCURRENCY, offsetCommits: PROJECTOR_OFFSET_COMMITS };

export function projectorModule(config: AppConfig) {
  @Module({ imports: [PlatformModule.forService('projector', config)], controllers: [ProjectorConsumer] })
  class ProjectorModule {}
  return ProjectorModule;
}
