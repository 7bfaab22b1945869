import {
  BadRequestException, Body, ConflictException, Controller, DefaultValuePipe, Get, HttpCode, Inject, NotFoundException,
  Param, ParseIntPipe, Post, Query, UnprocessableEntityException, UseGuards,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Producer } from 'kafkajs';
import { AppConfig } from '@trial/config';
import { TopicNames } from '@trial/contracts';
import { CurrentUser, Principal, Roles } from '@trial/auth';
import { publish } from '@trial/messaging';
import { CLOCK, Clock, CONFIG, JsonOnlyGuard, PRODUCER, TOPICS } from '@trial/platform';
import { ReviewDecisionError, ReviewView, getReview, listReviews, reviewDecision } from '@trial/linkstore';

/**
 * The clerical linkage review queue (reviewer role): the registry record and its candidate
 * patients side by side with the model's evidence; a decision is published as ReviewDecided
 * on linkage.reviews and applied by the linkage service like any other input (202: it is
 * accepted for processing, and the item leaves the open queue once the service has applied it).
 */
@Controller('reviews')
@Roles('reviewer')
export class ReviewsController {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(PRODUCER) private readonly producer: Producer,
    @Inject(CLOCK) private readonly now: Clock,
  ) {}

  @Get()
  list(@Query('status', new DefaultValuePipe('open')) status: string, @Query('limit', new DefaultValuePipe(100), ParseIntPipe) limit: number): Promise<ReviewView[]> {
    if (!['open', 'accepted', 'rejected', 'superseded'].includes(status)) throw new BadRequestException('status must be open, accepted, rejected or superseded');
    return listReviews(this.ds, this.config.TOPIC_PREFIX, status, Math.min(Math.max(limit, 1), 1000));
  }

  @Get(':reviewId')
  async one(@Param('reviewId') reviewId: string): Promise<ReviewView> {
    const review = await getReview(this.ds, this.config.TOPIC_PREFIX, reviewId);
    if (!review) throw new NotFoundException(`no review ${reviewId}`);
    return review;
  }

  @Post(':reviewId/decision')
  @HttpCode(202)
  // JSON only: a form post is a cross-site "simple" request (issue 12, item 5).
  @UseGuards(JsonOnlyGuard)
  async decide(@Param('reviewId') reviewId: string, @Body() body: unknown, @CurrentUser() user: Principal): Promise<{ eventId: string; reviewId: string; decision: string; patientId: string | null }> {
    const review = await getReview(this.ds, this.config.TOPIC_PREFIX, reviewId);
    const result = reviewDecision(review, body, user.sub, this.now(), randomUUID());
    if (!result.ok) throw httpError(result.error);
    const e = result.event;
    await publish(this.producer, this.topics.reviews, [{ key: e.reviewId, value: e }]);
    return { eventId: e.eventId, reviewId: e.reviewId, decision: e.decision, patientId: e.patientId };
  }
}

/** The one place review decision errors become HTTP statuses. */
function httpError(e: ReviewDecisionError): Error {
  switch (e.code) {
    case 'invalid-body': return new BadRequestException({ code: e.code, message: e.reason });
    case 'not-found': return new NotFoundException({ code: e.code, message: e.reason });
    case 'not-open': return new ConflictException({ code: e.code, message: e.reason });
    case 'not-a-candidate': return new UnprocessableEntityException({ code: e.code, message: e.reason });
    default: {
      const never: never = e;
      throw new Error(`unknown review error ${JSON.stringify(never)}`);
    }
  }
}
