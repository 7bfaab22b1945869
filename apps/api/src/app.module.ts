import { Module } from '@nestjs/common';
import { AppConfig, devSecretFile } from '@trial/config';
import { AuthModule, resolveSecret } from '@trial/auth';
import { PlatformModule } from '@trial/platform';
import { TrialsController } from './trials.controller';

export function apiModule(config: AppConfig) {
  @Module({ imports: [PlatformModule.forService('api', config), AuthModule.forRoot(resolveSecret(config.AUTH_SECRET, devSecretFile()))], controllers: [TrialsController] })
  class ApiModule {}
  return ApiModule;
}
