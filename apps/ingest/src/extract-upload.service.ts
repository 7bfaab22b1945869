import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { ReadStream, createReadStream } from 'node:fs';
import { AppConfig } from '@trial/config';
import { TopicNames } from '@trial/contracts';
import { IngestSummary, ingestExtract, uploadFields } from '@trial/ingest';
import { Log } from '@trial/messaging';
import { CLOCK, CONFIG, Clock, LOG, TOPICS } from '@trial/platform';
import { isSpooled, releaseUpload } from './spool';

/**
 * An uploaded extract, streamed like `followup ingest` from the spooled upload (spool.ts). The
 * upload's descriptor is released whatever happens; whole-file problems are thrown as they
 * come (IngestError, RegistryFileError) for IngestErrorFilter.
 */
@Injectable()
export class ExtractUploadService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOG) private readonly log: Log,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly now: Clock,
  ) {}

  async ingest(file: Express.Multer.File | undefined, body: unknown): Promise<IngestSummary> {
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
        input,
        source: f.source,
        layout: f.layout,
        extractedOn: f.extractedOn ?? now.slice(0, 10),
        today: now.slice(0, 10),
        completeUpTo: f.completeUpTo ?? null,
        topics: this.topics,
        rejects: null,
        // Like `followup ingest`: published from a worker thread with a producer of its own,
        // so a big upload is read and sent on two cores.
        thread: { brokers: this.config.KAFKA_BROKERS, clientId: 'ingest', log: this.log },
        file: file.originalname,
        clock: () => performance.now(),
        failedAt: now,
      });
    } finally {
      input?.destroy();
      if (file) await releaseUpload(file);
    }
  }
}
