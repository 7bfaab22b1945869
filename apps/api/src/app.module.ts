import { Module } from '@nestjs/common';
import { AppConfig } from '@trial/config';
import { PlatformModule } from '@trial/platform';
import { TrialsController } from './trials.controller';

export function apiModule(config: AppConfig) {
  @Module({ imports: [PlatformModule.forService('api', config)], controllers: [TrialsController] })
  class ApiModule {}
  return ApiModule;
}
