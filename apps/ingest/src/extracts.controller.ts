import { BadRequestException, Body, Controller, HttpCode, Inject, Post, UnprocessableEntityException, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { createReadStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { diskStorage } from 'multer';
import { Roles } from '@trial/auth';
import { AppConfig } from '@trial/config';
import { Log } from '@trial/messaging';
import { TopicNames } from '@trial/contracts';
import { IngestError, IngestSummary, ingestExtract, uploadFields } from '@trial/ingest';
import { CLOCK, CONFIG, Clock, LOG, TOPICS } from '@trial/platform';
import { RegistryFileError } from '@trial/registry';

/**
 * `POST /registry/extracts` (ingest role): multipart form with `file` (the extract CSV) and the
 * CLI's options as fields (`source`, `layout`, `completeUpTo`, `extractedOn`). The upload is
 * spooled to disk, not memory, then streamed like `followup ingest`; the response is the same
 * summary JSON. Rejected rows go to registry.notifications.dlq (and the first few are in the
 * summary).
 */
@Controller('registry/extracts')
@Roles('ingest')
export class ExtractsController {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOG) private readonly log: Log,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly now: Clock,
  ) {}

  @Post()
  @HttpCode(200)
  @UseInterceptors(FileInterceptor('file', { storage: diskStorage({ destination: tmpdir() }), limits: { fileSize: 2 * 1024 ** 3 } }))
  async upload(@UploadedFile() file: Express.Multer.File | undefined, @Body() body: unknown): Promise<IngestSummary> {
    try {
      if (!file) throw new BadRequestException('a multipart field `file` with the extract is required');
      const fields = uploadFields.safeParse(body);
      if (!fields.success) throw new BadRequestException(fields.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const f = fields.data;
      const now = this.now();
      return await ingestExtract({
        input: createReadStream(file.path), source: f.source, layout: f.layout, extractedOn: f.extractedOn ?? now.slice(0, 10),
        completeUpTo: f.completeUpTo ?? null, topics: this.topics, rejects: null,
        // Like `followup ingest`: published from a worker thread with a producer of its own,
        // so a big upload is read and sent on two cores.
        thread: { brokers: this.config.KAFKA_BROKERS, clientId: 'ingest', log: this.log },
        file: file.originalname, clock: () => performance.now(), failedAt: now,
      });
    } catch (e) {
      // The one place whole-file problems become HTTP: the extract is unusable as sent.
      if (e instanceof RegistryFileError || e instanceof IngestError) throw new UnprocessableEntityException({ code: e.code, message: e.message });
      throw e;
    } finally {
      if (file) await unlink(file.path).catch(() => undefined);
    }
  }
}
