import { Module } from '@nestjs/common';
import { AppConfig } from '@trial/config';
import { PlatformModule } from '@trial/platform';
import { ProjectorConsumer } from './projector.consumer';

export function projectorModule(config: AppConfig) {
  @Module({ imports: [PlatformModule.forService('projector', config)], controllers: [ProjectorConsumer] })
  class ProjectorModule {}
  return ProjectorModule;
}
