import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { MulterModule } from '@nestjs/platform-express';
import { join } from 'node:path';
import { AppConfig, devSecretFile, projectRoot, oidcSettings } from '@trial/config';
import { AuthModule, resolveSecret } from '@trial/auth';
import { LOG, Log, PlatformModule } from '@trial/platform';
import { CorrectionsController } from './corrections.controller';
import { CorrectionsService } from './corrections.service';
import { ExtractUploadService } from './extract-upload.service';
import { ExtractsController } from './extracts.controller';
import { IngestErrorFilter } from './ingest-errors.filter';
import { SpoolStorage, emptySpool } from './spool';

/** The upload spool: INGEST_SPOOL_DIR, else under the project's data directory (.infra/). */
export function spoolDir(config: AppConfig): string {
  return config.INGEST_SPOOL_DIR ?? join(projectRoot(), '.infra', 'ingest-spool');
}

export function ingestModule(config: AppConfig) {
  @Module({
    imports: [
      PlatformModule.forService('ingest', config),
      AuthModule.forRoot(resolveSecret(config.AUTH_SECRET, devSecretFile()), oidcSettings()),
      // Emptied before the service takes its first upload: a kill mid-upload leaves nothing behind.
      MulterModule.registerAsync({
        inject: [LOG],
        useFactory: async (log: Log) => {
          const dir = spoolDir(config);
          const removed = await emptySpool(dir);
          if (removed) log('warn', 'removed uploads left in the spool by an earlier process', { removed });
          return { storage: new SpoolStorage(dir), limits: { fileSize: 2 * 1024 ** 3 } };
        },
      }),
    ],
    controllers: [ExtractsController, CorrectionsController],
    // One filter for the ingest service's expected failures (refused uploads and corrections).
    providers: [ExtractUploadService, CorrectionsService, { provide: APP_FILTER, useClass: IngestErrorFilter }],
  })
  class IngestModule {}
  return IngestModule;
}
