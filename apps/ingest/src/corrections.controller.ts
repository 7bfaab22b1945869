import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { CurrentUser, Principal, Roles } from '@trial/auth';
import { CompletenessCorrection } from '@trial/contracts';
import { JsonOnlyGuard } from '@trial/platform';
import { CorrectionsService } from './corrections.service';

/**
 * `POST /registry/completeness-corrections` (registry-admin only): JSON `{ source, completeUpTo,
 * reason, correctionId? }`. Audited, then published as a `completeness-correction`
 * notification, which linkage turns into RegistryCompletenessCorrected: completeness is set to
 * the date, backwards too. Answers with the notification sent.
 */
@Controller('registry/completeness-corrections')
@Roles('registry-admin')
export class CorrectionsController {
  constructor(private readonly corrections: CorrectionsService) {}

  @Post()
  @HttpCode(202)
  // JSON only, as review decisions: a form post is a cross-site "simple" request.
  @UseGuards(JsonOnlyGuard)
  correct(@Body() body: unknown, @CurrentUser() user: Principal): Promise<CompletenessCorrection> {
    return this.corrections.correct(body, user);
  }
}
