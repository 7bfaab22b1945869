import { Module } from '@nestjs/common';
import { AppConfig } from '@trial/config';
import { PlatformModule } from '@trial/platform';
import { LinkageConsumer } from './linkage.consumer';

export function linkageModule(config: AppConfig) {
  @Module({ imports: [PlatformModule.forService('linkage', config)], controllers: [LinkageConsumer] })
  class LinkageModule {}
  return LinkageModule;
}
