import { z } from 'zod';

/** Why a record needs a person (LinkageReviewRequested.reason, the queue's `reason`). */
export const reviewReasons = [
  'between-thresholds',
  'close-candidates',
  'death-before-randomisation',
  'household-member',
  'identifier-conflict',
] as const;
export const reviewReason = z.enum(reviewReasons);
export type ReviewReason = z.infer<typeof reviewReason>;

/** Where a clerical review item stands (lk_reviews.status, `GET /reviews?status=`). */
export const reviewStatuses = ['open', 'accepted', 'rejected', 'superseded'] as const;
export const reviewStatus = z.enum(reviewStatuses);
export type ReviewStatus = z.infer<typeof reviewStatus>;
