import { decode, enrollmentEvent, outcomeEvent, registryNotification, reviewDecided, TopicNames } from '@trial/contracts';

/** The fuzz's vocabulary: input topics, the consumers that read them, and the message categories. */
export type Logical = keyof TopicNames;
export const LOGICAL: readonly Logical[] = ['enrollments', 'notifications', 'outcomes', 'reviews'];

export type ConsumerName = 'linkage' | 'projector';
/** Who consumes each input topic (apps/linkage and apps/projector subscribe so). */
export const CONSUMERS: Record<Logical, readonly ConsumerName[]> = {
  enrollments: ['linkage', 'projector'],
  notifications: ['linkage'],
  outcomes: ['projector'],
  reviews: ['linkage'],
};

/** The schema each consumer decodes a topic with (libs/platform kafka-batch.server.ts). */
export const SCHEMAS = { enrollments: enrollmentEvent, notifications: registryNotification, outcomes: outcomeEvent, reviews: reviewDecided } as const;

export function decodes(topic: Logical, value: Buffer | null): boolean {
  return decode(SCHEMAS[topic], value).ok;
}

export const BAD_CATEGORIES = [
  'random-bytes',
  'oversized',
  'invalid-json',
  'wrong-schema',
  'unknown-type',
  'unknown-version',
  'impossible-date',
  'out-of-range-version',
  'null-values',
  'nul-in-text',
  'long-field',
  'future-completeness',
  'duplicate-id',
  'conflicting-randomisation',
  'unregistered-trial',
  'unknown-review',
] as const;
export type BadCategory = (typeof BAD_CATEGORIES)[number];
export type Category = 'valid' | BadCategory;

/** Bad messages that fail the topic's schema; the others are schema-valid and refused for what they say. */
export const SEMANTIC: ReadonlySet<BadCategory> = new Set([
  'future-completeness',
  'duplicate-id',
  'conflicting-randomisation',
  'unregistered-trial',
  'unknown-review',
]);

/** What a valid message must visibly do once applied. */
export type Effect =
  | { kind: 'registered'; trialId: string }
  | { kind: 'randomised'; trialId: string; patientId: string }
  | { kind: 'death'; trialId: string; patientId: string; date: string }
  | { kind: 'complete'; upTo: string }
  | { kind: 'review'; trialId: string; reviewId: string; status: 'rejected' };

export interface Planned {
  /** Position in the sending order. */
  seq: number;
  /** 1: the valid set-up, sent and applied before the fuzz; 2: the fuzz, valid and bad shuffled. */
  phase: 1 | 2;
  topic: Logical;
  partition: number;
  key: Buffer | null;
  value: Buffer | null;
  category: Category;
  /** What exactly this one is (no personal data): the report names it beside a missing message. */
  variant: string;
  /**
   * Bad only. 'every': each consumer of the topic must dead-letter or park it (it fails the
   * schema every one of them checks); 'any': one of them must (it is refused for its meaning,
   * e.g. a duplicate event id, which the consumer that keeps the ids notices).
   */
  rejectedBy?: 'every' | 'any';
  /** Valid only. */
  effect?: Effect;
}
