/** One partition's lag: messages past the committed offset. */
export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

/**
 * What a consumer tells its observers as it runs (the services' metrics; see
 * @trial/platform's metrics). Counts, durations, topics and codes only: never a message's
 * key or content. Each is called after the fact and must not throw.
 */
export interface ConsumerHooks {
  /** A partition batch handled and committed: how long it took (retries included) and its messages' publish times (ms). */
  batchApplied(topic: string, seconds: number, publishedAtMs: number[]): void;
  /** Messages sent to `<topic>.dlq`, by the reason's code. */
  deadLettered(topic: string, code: string, n: number): void;
  /** One retry of an environmental failure (the consumer holds its position meanwhile). */
  retried(topic: string, code: string): void;
  /** The lag of every partition this member holds, at one sample (a partition not listed is not ours). */
  lag(partitions: PartitionLag[]): void;
  /**
   * Messages held on a DLQ topic (high minus low watermark over its partitions), and each
   * partition's watermarks, from which the observer can tell the letters not yet closed.
   */
  dlqDepth(dlqTopic: string, messages: number, extents: Array<{ partition: number; low: string; high: string }>): void;
}

/** Hooks that do nothing: a consumer without observers. */
export const NO_HOOKS: ConsumerHooks = {
  batchApplied: () => undefined,
  deadLettered: () => undefined,
  retried: () => undefined,
  lag: () => undefined,
  dlqDepth: () => undefined,
};
