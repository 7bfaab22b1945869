import { BadRequestException, Body, Controller, HttpCode, Inject, Post, UnprocessableEntityException, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ReadStream, createReadStream } from 'node:fs';
import { Roles } from '@trial/auth';
import { AppConfig } from '@trial/config';
import { Log } from '@trial/messaging';
import { TopicNames } from '@trial/contracts';
import { IngestError, IngestSummary, ingestExtract, uploadFields } from '@trial/ingest';
import { CLOCK, CONFIG, Clock, LOG, TOPICS } from '@trial/platform';
import { RegistryFileError } from '@trial/registry';
import { isSpooled, releaseUpload } from './spool';

/**
 * `POST /registry/extracts` (ingest role): multipart form with `file` (the extract CSV) and the
 * CLI's options as fields (`source`, `layout`, `completeUpTo`, `extractedOn`). The upload is
 * spooled to disk, not memory (the private spool of spool.ts, configured in app.module: a file
 * without a name, so a killed process leaves none), then streamed like `followup ingest`; the
 * response is the same
 * summary JSON. Rejected rows (no registration) go to registry.notifications.dlq (and the first
 * few are in the summary); warnings (damage to one field of a row that was published, such as a
 * number failing its check) are counted in the summary apart from them, the first few listed.
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
  @UseInterceptors(FileInterceptor('file'))
  async upload(@UploadedFile() file: Express.Multer.File | undefined, @Body() body: unknown): Promise<IngestSummary> {
    let input: ReadStream | null = null;
    try {
      if (!file) throw new BadRequestException('a multipart field `file` with the extract is required');
      if (!isSpooled(file)) throw new Error('the upload was not spooled by SpoolStorage (is MulterModule registered?)');
      const fields = uploadFields.safeParse(body);
      if (!fields.success) throw new BadRequestException(fields.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const f = fields.data;
      const now = this.now();
      // Reads from 0 on the spooled descriptor. The stream owns it from here: it closes it at its
      // end or when destroyed below (a stream's destroy closes its fd whatever autoClose says).
      input = createReadStream('', { fd: file.fd, start: 0 });
      file.fd = -1;
      return await ingestExtract({
        input, source: f.source, layout: f.layout, extractedOn: f.extractedOn ?? now.slice(0, 10), today: now.slice(0, 10),
        completeUpTo: f.completeUpTo ?? null, topics: this.topics, rejects: null,
        // Like `followup ingest`: published from a worker thread with a producer of its own,
        // so a big upload is read and sent on two cores.
        thread: { brokers: this.config.KAFKA_BROKERS, clientId: 'ingest', log: this.log },
        file: file.originalname, clock: () => performance.now(), failedAt: now,
      });
    } catch (e) {
      // The one place whole-file problems become HTTP: the extract is unusable as sent.
      // A refused completeUpTo is one of these (IngestError, before any row is sent): its field is named.
      if (e instanceof IngestError) throw new UnprocessableEntityException({ code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) });
      if (e instanceof RegistryFileError) throw new UnprocessableEntityException({ code: e.code, message: e.message });
      throw e;
    } finally {
      input?.destroy();
      if (file) await releaseUpload(file);
    }
  }
}
