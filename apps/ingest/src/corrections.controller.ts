import { BadRequestException, Body, Controller, HttpCode, Inject, Post, UnprocessableEntityException, UseGuards } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CurrentUser, Principal, Roles } from '@trial/auth';
import { CompletenessCorrection, TopicNames } from '@trial/contracts';
import { correctionFor, publishCorrection } from '@trial/ingest';
import { CLOCK, Clock, JsonOnlyGuard, PRODUCER, TOPICS } from '@trial/platform';

/**
 * `POST /registry/completeness-corrections` (registry-admin only): JSON `{ source, completeUpTo,
 * reason, correctionId? }`. Audited, then published as a `completeness-correction`
 * notification, which linkage turns into RegistryCompletenessCorrected: completeness is set to
 * the date, backwards too. Answers with the notification sent.
 */
@Controller('registry/completeness-corrections')
@Roles('registry-admin')
export class CorrectionsController {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(PRODUCER) private readonly producer: Producer,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly now: Clock,
  ) {}

  @Post()
  @HttpCode(202)
  // JSON only, as review decisions: a form post is a cross-site "simple" request (issue 12, item 5).
  @UseGuards(JsonOnlyGuard)
  async correct(@Body() body: unknown, @CurrentUser() user: Principal): Promise<CompletenessCorrection> {
    const c = correctionFor(body, { correctionId: randomUUID(), correctedBy: user.sub, now: this.now() });
    if (!c.ok) {
      const error = { code: c.error.code, field: c.error.field, message: c.error.reason };
      throw c.error.code === 'invalid-request' ? new BadRequestException(error) : new UnprocessableEntityException(error);
    }
    await publishCorrection({ transaction: (work) => this.ds.transaction((tx) => work(tx)), producer: this.producer, topics: this.topics }, c.value, user.role);
    return c.value;
  }
}
