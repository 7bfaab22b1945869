import { Module } from '@nestjs/common';
import { AppConfig } from '@trial/config';
import { PlatformModule } from '@trial/platform';
import { ProjectorConsumer } from './projector.consumer';

/**
 * Partition batches projected at once (overridable with PROJECTOR_CONCURRENCY): each batch is
 * its own transaction with its own checkpoint, and trial rows serialise the per-trial tail
 * (see ReadModelProjector), so partitions need not wait for each other.
 */
export const PROJECTOR_CONCURRENCY = Number(process.env.PROJECTOR_CONCURRENCY ?? 6);

export function projectorModule(config: AppConfig) {
  @Module({ imports: [PlatformModule.forService('projector', config)], controllers: [ProjectorConsumer] })
  class ProjectorModule {}
  return ProjectorModule;
}
