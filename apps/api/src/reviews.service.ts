import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Principal } from '@trial/auth';
import { AppConfig } from '@trial/config';
import { reviewStatus, TopicNames } from '@trial/contracts';
import { getReview, listReviews, reviewDecision, type ReviewView } from '@trial/linkage-service';
import { publish } from '@trial/messaging';
import { CLOCK, Clock, CONFIG, PRODUCER, TOPICS } from '@trial/platform';
import { recordAudit } from '@trial/projection';
import type { ReviewAcceptedDto } from './dto/reviews.dto';
import { ReviewRefused } from './review-errors.filter';

/**
 * The clerical review queue: reads from the linkage store, and a reviewer's decision checked
 * by `reviewDecision` and published as ReviewDecided on linkage.reviews (the linkage service
 * applies it like any other input). A refused decision is thrown as ReviewRefused.
 */
@Injectable()
export class ReviewsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(PRODUCER) private readonly producer: Producer,
    @Inject(CLOCK) private readonly now: Clock,
  ) {}

  /**
   * `limit` is clamped to 1-1000, as it always was; an unknown status is a 400. The open items
   * of a list carry identifiers, so the listing is audited too (view `review-list`, no trial:
   * the queue spans trials), before it is returned.
   */
  async list(status: string, limit: number, user: Principal): Promise<ReviewView[]> {
    const wanted = reviewStatus.safeParse(status);
    if (!wanted.success) throw new BadRequestException('status must be open, accepted, rejected or superseded');
    const items = await listReviews(this.ds, this.config.TOPIC_PREFIX, wanted.data, Math.min(Math.max(limit, 1), 1000));
    await recordAudit(this.ds, {
      sub: user.sub,
      role: user.role,
      trialId: null,
      view: 'review-list',
      query: { status: wanted.data, shown: String(items.length) },
    });
    return items;
  }

  /** Every view of an item shows identifiers: audited (view `review`) before it is returned. */
  async one(reviewId: string, user: Principal): Promise<ReviewView> {
    const review = await getReview(this.ds, this.config.TOPIC_PREFIX, reviewId);
    if (!review) throw new NotFoundException(`no review ${reviewId}`);
    await recordAudit(this.ds, { sub: user.sub, role: user.role, trialId: review.trialId, view: 'review', query: { reviewId } });
    return review;
  }

  async decide(reviewId: string, body: unknown, user: Principal): Promise<ReviewAcceptedDto> {
    const review = await getReview(this.ds, this.config.TOPIC_PREFIX, reviewId);
    const result = reviewDecision(review, body, user.sub, this.now(), randomUUID());
    if (!result.ok) throw new ReviewRefused(result.error);
    const e = result.event;
    await publish(this.producer, this.topics.reviews, [{ key: e.reviewId, value: e }]);
    return { eventId: e.eventId, reviewId: e.reviewId, decision: e.decision, patientId: e.patientId };
  }
}
