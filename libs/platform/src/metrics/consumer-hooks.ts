import { ConsumerHooks, ConsumerStatus } from '@trial/messaging';
import { ServiceMetrics } from './definitions';

/** The letters of a DLQ topic between those watermarks that are still open (neither re-driven nor discarded). */
export type OpenLetters = (dlqTopic: string, extents: Array<{ partition: number; low: string; high: string }>) => Promise<number>;

/**
 * The consumer's hooks, writing the consumer metrics of `m` under the consumer's name; with
 * `openLetters`, also each DLQ's open letters (the alert's figure), dropped when it cannot be read.
 */
export function consumerHooks(m: ServiceMetrics, consumer: string, nowMs: () => number = Date.now, openLetters?: OpenLetters): ConsumerHooks {
  return {
    batchApplied: (topic, seconds, publishedAtMs) => {
      m.batchDuration.observe({ consumer, topic }, seconds);
      if (publishedAtMs.length) m.applied.inc({ consumer, topic }, publishedAtMs.length);
      const now = nowMs();
      // A clock behind the broker's gives a negative age: counted as zero, not dropped.
      for (const at of publishedAtMs) if (Number.isFinite(at)) m.publishToApply.observe({ consumer, topic }, Math.max(0, now - at) / 1000);
    },
    deadLettered: (topic, code, n) => m.deadLettered.inc({ consumer, topic, code }, n),
    retried: (topic, code) => m.retries.inc({ consumer, topic, code }),
    lag: (partitions) => {
      // Only the partitions held now: one that moved to another member must not keep its last value.
      m.consumerLag.reset();
      for (const p of partitions) m.consumerLag.set({ consumer, topic: p.topic, partition: String(p.partition) }, p.lag);
    },
    dlqDepth: (topic, messages, extents) => {
      m.dlqMessages.set({ topic }, messages);
      if (!openLetters) return;
      // A stale count must not pass for a current one: an unreadable count removes the series.
      openLetters(topic, extents).then(
        (n) => m.dlqOpenLetters.set({ topic }, n),
        () => m.dlqOpenLetters.remove({ topic }),
      );
    },
  };
}

/** Running and ready, read from the consumer's status at each scrape. */
export function watchConsumerStatus(m: ServiceMetrics, consumer: string, status: ConsumerStatus): void {
  m.whenScraped(m.consumerRunning, () => m.consumerRunning.set({ consumer }, status.current === 'running' ? 1 : 0));
  m.whenScraped(m.consumerReady, () => m.consumerReady.set({ consumer }, status.readiness().ready ? 1 : 0));
}

/** A committed linkage batch's decisions, by outcome (counts only). */
export function countDecisions(m: ServiceMetrics, outcomes: Readonly<Record<string, number>>): void {
  for (const [outcome, n] of Object.entries(outcomes)) if (n > 0) m.linkageDecisions.inc({ outcome }, n);
}
