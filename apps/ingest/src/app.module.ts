import { Module } from '@nestjs/common';
import { AppConfig } from '@trial/config';
import { PlatformModule } from '@trial/platform';

export function ingestModule(config: AppConfig) {
  @Module({ imports: [PlatformModule.forService('ingest', config)] })
  class IngestModule {}
  return IngestModule;
}
