import { z } from 'zod';
import { describeIssues } from '@trial/contracts';
import { ConfigError } from './error';

/** Partition batches the projector applies at once (PROJECTOR_CONCURRENCY). */
export const projectorConcurrency = z.coerce.number().int().min(1, 'must be at least 1').max(64, 'must be at most 64').default(6);
/** `PROJECTOR_PROFILE=1`: per-phase timings of the batch path to stderr every 5 s (diagnosis only). */
export const projectorProfile = z
  .enum(['0', '1'], 'must be 0 or 1')
  .default('0')
  .transform((v) => v === '1');

const projectorSchema = z.object({ PROJECTOR_CONCURRENCY: projectorConcurrency, PROJECTOR_PROFILE: projectorProfile });

/**
 * The projector's own settings alone, for code that has no AppConfig at hand (the in-process
 * tests start the projector module with these). Throws a ConfigError naming the bad variable.
 */
export function projectorSettings(env: NodeJS.ProcessEnv = process.env): { concurrency: number; profile: boolean } {
  const parsed = projectorSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`invalid configuration: ${describeIssues(parsed.error)}`);
  return { concurrency: parsed.data.PROJECTOR_CONCURRENCY, profile: parsed.data.PROJECTOR_PROFILE };
}

const ms = z.number().int().positive();

/**
 * A Kafka consumer's group timing and backoff, checked where it is built (runConsumer): a
 * heartbeat must fit three times in the session, or a busy member is evicted between beats,
 * and a backoff's start may not pass its cap.
 */
export const consumerTiming = z
  .object({
    /** Short, so a member killed with SIGKILL is evicted in seconds (the broker's minimum is 6 s). */
    sessionTimeout: ms,
    heartbeatInterval: ms,
    rebalanceTimeout: ms,
    /** Backoff between retries of an environmental failure, capped. */
    retryInitialMs: ms,
    retryMaxMs: ms,
    /** Backoff between restarts of a consumer that stopped. */
    restartInitialMs: ms,
    restartMaxMs: ms,
    /** How often lag is sampled for /health. */
    lagEveryMs: ms,
    /** How long the broker may hold a fetch open waiting for messages (kafkajs maxWaitTimeInMs). */
    fetchWaitMs: ms,
    /** How long after an unasked-for disconnect the consumer is replaced, if no crash said why first. */
    disconnectGraceMs: ms,
    /** kafkajs' own retries of a request before it reports the failure to us. */
    clientRetries: z.number().int().min(0),
    /** The step of a wait that heartbeats (waitKeepingMembership): how soon it sees the batch is no longer ours. */
    waitStepMs: ms,
    /** How often a consumer with `offsetCommits: 'interval'` writes its Kafka offsets (see runConsumer). */
    commitEveryMs: ms,
  })
  .refine((t) => t.heartbeatInterval * 3 <= t.sessionTimeout, { path: ['heartbeatInterval'], message: 'must fit three times in sessionTimeout' })
  .refine((t) => t.retryInitialMs <= t.retryMaxMs, { path: ['retryInitialMs'], message: 'must not exceed retryMaxMs' })
  .refine((t) => t.restartInitialMs <= t.restartMaxMs, { path: ['restartInitialMs'], message: 'must not exceed restartMaxMs' });
export type ConsumerTiming = z.infer<typeof consumerTiming>;

/**
 * The consumers' timing unless a caller shortens it (tests). The session is short so a member
 * killed with SIGKILL is evicted in seconds (the broker's group.min.session.timeout.ms is 6 s),
 * which is safe only because a batch heartbeats while its handler runs and while it waits to retry.
 */
export const DEFAULT_CONSUMER_TIMING: ConsumerTiming = {
  sessionTimeout: 8_000,
  heartbeatInterval: 1_000,
  rebalanceTimeout: 20_000,
  retryInitialMs: 200,
  retryMaxMs: 10_000,
  restartInitialMs: 500,
  restartMaxMs: 15_000,
  lagEveryMs: 5_000,
  fetchWaitMs: 100,
  disconnectGraceMs: 1_000,
  clientRetries: 5,
  waitStepMs: 100,
  commitEveryMs: 1_000,
};

/** The timing, checked; a ConfigError names what is wrong. */
export function checkedTiming(t: ConsumerTiming): ConsumerTiming {
  const parsed = consumerTiming.safeParse(t);
  if (!parsed.success) throw new ConfigError(`invalid consumer timing: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
