import { Module } from '@nestjs/common';
import { AppConfig, devSecretFile } from '@trial/config';
import { AuthModule, resolveSecret } from '@trial/auth';
import { PlatformModule } from '@trial/platform';
import { ExtractsController } from './extracts.controller';

export function ingestModule(config: AppConfig) {
  @Module({
    imports: [PlatformModule.forService('ingest', config), AuthModule.forRoot(resolveSecret(config.AUTH_SECRET, devSecretFile()))],
    controllers: [ExtractsController],
  })
  class IngestModule {}
  return IngestModule;
}
