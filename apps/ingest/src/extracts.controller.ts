import { Body, Controller, HttpCode, Post, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { Roles } from '@trial/auth';
import { IngestSummary } from '@trial/ingest';
import { ExtractUploadService } from './extract-upload.service';

/**
 * `POST /registry/extracts` (ingest role): multipart form with `file` (the extract CSV) and the
 * CLI's options as fields (`source`, `layout`, `completeUpTo`, `extractedOn`). The upload is
 * spooled to disk, not memory (the private spool of spool.ts, configured in app.module: a file
 * without a name, so a killed process leaves none), then streamed like `followup ingest`; the
 * response is the same summary JSON. Rejected rows (no registration) go to
 * registry.notifications.dlq (and the first few are in the summary); warnings (damage to one
 * field of a row that was published, such as a number failing its check) are counted in the
 * summary apart from them, the first few listed. An unusable file is a 422 (IngestErrorFilter).
 */
@Controller('registry/extracts')
@Roles('ingest')
export class ExtractsController {
  constructor(private readonly uploads: ExtractUploadService) {}

  @Post()
  @HttpCode(200)
  @UseInterceptors(FileInterceptor('file'))
  upload(@UploadedFile() file: Express.Multer.File | undefined, @Body() body: unknown): Promise<IngestSummary> {
    return this.uploads.ingest(file, body);
  }
}
