import { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { Result, InvalidMessage, dlqOf } from '@trial/contracts';
import { Log } from './kafka';
import { sendToDlq, DeadLetter, Park } from './dead-letters';
import { PermanentError, backoffMs, classify, failureCode } from './errors';
import { ConsumerStatus } from './status';
import { ConsumerHooks, NO_HOOKS, PartitionLag } from './hooks';
import { checkedTiming, DEFAULT_CONSUMER_TIMING, type ConsumerTiming } from '@trial/config';

/** A message that passed its schema, with where it came from. */
export interface Incoming<T> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  timestamp: string;
  value: T;
}

/**
 * The valid messages of one partition's batch, and the offset of the batch's last message
 * (valid or not). The handler must apply the messages and record `lastOffset` as its
 * checkpoint in the same database transaction, skipping messages at or below the checkpoint
 * it already holds: that makes a redelivery change nothing.
 */
export interface PartitionBatch<T> {
  topic: string;
  partition: number;
  messages: Incoming<T>[];
  lastOffset: string;
}

export type { ConsumerTiming } from '@trial/config';

/** Group timing and backoff: @trial/config's defaults, checked (consumerTiming). */
export const DEFAULT_TIMING: ConsumerTiming = checkedTiming(DEFAULT_CONSUMER_TIMING);

/** An environmental failure is logged on its first tries, then every this many (the retries go on). */
const LOGGED_FIRST_RETRIES = 3;
const LOGGED_RETRY_EVERY = 20;
/** How long a disconnect waits for its last `interval` commit. */
const FINAL_COMMIT_MS = 5_000;

/** A topic-partition as one key (the pending and committed offsets, and where a retry is reported). */
const partitionKey = (topic: string, partition: number): string => `${topic}:${partition}`;

/**
 * How much one fetch may bring (kafkajs `maxBytesPerPartition`, `maxBytes`; defaults 1 MB and
 * 10 MB). A consumer whose every batch is one transaction with fixed costs (locks, a
 * checkpoint, a commit) does less work per message with bigger batches.
 */
export interface FetchSizes {
  maxBytesPerPartition?: number;
  maxBytes?: number;
}

/** When a consumer commits its Kafka offsets (ConsumerOptions `offsetCommits`). */
export type OffsetCommits = 'every-batch' | 'interval';

/**
 * What a handler may say of a batch it handled: how many of its first messages were already
 * applied (at or below the consumer's checkpoint, so skipped). Those are a redelivery, not new
 * work, and the hooks (the metrics' applied count and publish-to-apply ages) leave them out.
 */
export interface BatchHandled {
  behindCheckpoint: number;
}

/** Whether a handler's result is a BatchHandled (a handler may resolve to nothing). */
export function isBatchHandled(x: unknown): x is BatchHandled {
  if (typeof x !== 'object' || x === null || !('behindCheckpoint' in x)) return false;
  const n = x.behindCheckpoint;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}

export interface ConsumerOptions<T> {
  kafka: Kafka;
  /** Names the consumer group, the checkpoints and the DLQ records. */
  name: string;
  groupId?: string;
  topics: string[];
  decode: (topic: string, raw: Buffer | null) => Result<T, InvalidMessage>;
  handle: (batch: PartitionBatch<T>) => Promise<void | BatchHandled>;
  /** A producer for the DLQ; idempotent. */
  producer: Producer;
  /** Where a dead letter too large for the DLQ goes (dead_letter_park). */
  park: Park;
  log: Log;
  now: () => string;
  /** Written as the consumer runs, read by /health; one is made when not given. */
  status?: ConsumerStatus;
  /** Told of batches, dead letters, retries and lag, for metrics; nothing when not given. */
  hooks?: ConsumerHooks;
  fromBeginning?: boolean;
  /**
   * Partition batches handled at once (kafkajs `partitionsConsumedConcurrently`); default 1.
   * Safe when each batch commits its effects and its partition's checkpoint in its own
   * transaction, as `handle` must: batches of one partition are still handed over in order.
   */
  partitionsConsumedConcurrently?: number;
  fetch?: FetchSizes;
  /**
   * When the group's Kafka offsets are committed:
   * - `every-batch` (the default): after each batch, before the next fetch (kafkajs autoCommit);
   * - `interval`: every `timing.commitEveryMs`, and when the consumer disconnects. Only for a
   *   handler that keeps its own checkpoint, as PartitionBatch asks: Kafka's offset is then only
   *   where a member starts reading after a restart or a rebalance, and what it reads twice its
   *   checkpoint skips. Each commit is a round trip to the group coordinator and an append to its
   *   log, made in series before the next fetch: at 1,000 events/s a commit per partition batch
   *   was most of the projector's latency (bench:pipeline).
   */
  offsetCommits?: OffsetCommits;
  timing?: Partial<ConsumerTiming>;
  /** Jitter source; Math.random unless a test fixes it. */
  random?: () => number;
}

/** A consumer that keeps itself running until `disconnect`. */
export interface RunningConsumer {
  readonly status: ConsumerStatus;
  /** How many times it was recreated after stopping. */
  readonly restarts: number;
  /** The kafkajs consumer of the moment (a restart replaces it). */
  current(): Consumer | null;
  /** Resolves once the group was joined (the first time, or after a restart). */
  joined(): Promise<void>;
  /** Leaves the group cleanly and stops restarting. */
  disconnect(): Promise<void>;
}

/**
 * Runs a consumer with eachBatch and resolves once it has joined its group. Each message is
 * decoded with its schema; an invalid one goes to `<topic>.dlq` with the reason. The rest go
 * to `handle` per partition batch. A handler failure that is a PermanentError isolates its
 * message, which alone goes to the DLQ; any other failure is environmental and is retried
 * with capped backoff for as long as it takes, the consumer holding its position (nothing
 * resolved or committed past it) and reporting `retrying` on its status. A consumer that
 * stops for any reason (a crash, an error escaping a batch, a disconnect) is recreated.
 */
export async function runConsumer<T>(opts: ConsumerOptions<T>): Promise<RunningConsumer> {
  const running = startConsumer(opts);
  await running.joined();
  return running;
}

/** As runConsumer, without waiting for the first join. */
export function startConsumer<T>(opts: ConsumerOptions<T>): RunningConsumer {
  const s = new SupervisedConsumer(opts);
  s.start();
  return s;
}

class SupervisedConsumer<T> implements RunningConsumer {
  readonly status: ConsumerStatus;
  restarts = 0;
  private readonly timing: ConsumerTiming;
  private readonly random: () => number;
  private readonly groupId: string;
  private consumer: Consumer | null = null;
  private stopping = false;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private lagTimer: NodeJS.Timeout | null = null;
  private admin: Admin | null = null;
  private assignment: Record<string, number[]> = {};
  private waiters: Array<() => void> = [];
  /** `interval` commits: the next offset to read of each partition handled since the last commit. */
  private readonly pending = new Map<string, { topic: string; partition: number; offset: string }>();
  /** The highest offset the broker confirmed committing per partition (kafkajs COMMIT_OFFSETS): no commit goes below it. */
  private readonly committedUpTo = new Map<string, bigint>();
  private commitTimer: NodeJS.Timeout | null = null;
  /** The commit in flight: one at a time, so a slow one never lands after a newer one. */
  private committing: Promise<void> | null = null;
  /** In its group and running: kafkajs drops a commit silently otherwise. */
  private member = false;

  constructor(private readonly opts: ConsumerOptions<T>) {
    this.status = opts.status ?? new ConsumerStatus();
    this.timing = checkedTiming({ ...DEFAULT_TIMING, ...opts.timing });
    this.random = opts.random ?? Math.random;
    this.groupId = opts.groupId ?? opts.name;
  }

  current(): Consumer | null {
    return this.consumer;
  }

  joined(): Promise<void> {
    if (this.status.current === 'running') return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  start(): void {
    this.status.starting();
    void this.spawn();
    this.lagTimer = setInterval(() => void this.sampleLag(), this.timing.lagEveryMs);
    this.lagTimer.unref();
    if (this.opts.offsetCommits === 'interval') {
      this.commitTimer = setInterval(() => void this.commitPending(), this.timing.commitEveryMs);
      this.commitTimer.unref();
    }
  }

  async disconnect(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.lagTimer) clearInterval(this.lagTimer);
    if (this.commitTimer) clearInterval(this.commitTimer);
    // What was handled since the last commit, so a successor starts after it (a batch still in
    // hand is not in it: its checkpoint skips it when it comes again). Bounded: a coordinator
    // that does not answer must not hold up a shutdown; the successor then reads a little twice.
    const finalCommit = async () => {
      await this.commitPending();
      await this.commitPending();
    };
    await Promise.race([finalCommit(), new Promise((r) => setTimeout(r, FINAL_COMMIT_MS).unref())]);
    const c = this.consumer;
    this.consumer = null;
    // disconnect() stops the runner, waits for the batch in hand (which sees isRunning()
    // turn false and returns) and leaves the group, so a successor is assigned at once.
    await c
      ?.disconnect()
      .catch((e: unknown) => this.opts.log('warn', 'consumer disconnect failed', { consumer: this.opts.name, error: failureCode(e) }));
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = null;
    this.status.stopped('disconnected');
    for (const w of this.waiters.splice(0)) w();
  }

  private async spawn(): Promise<void> {
    if (this.stopping) return;
    const { opts, timing } = this;
    const c = opts.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: timing.sessionTimeout,
      heartbeatInterval: timing.heartbeatInterval,
      rebalanceTimeout: timing.rebalanceTimeout,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: timing.fetchWaitMs,
      ...(opts.fetch?.maxBytesPerPartition ? { maxBytesPerPartition: opts.fetch.maxBytesPerPartition } : {}),
      ...(opts.fetch?.maxBytes ? { maxBytes: opts.fetch.maxBytes } : {}),
      // We restart it ourselves, whatever the error: kafkajs gives up for good on one it
      // deems non-retriable (a record the broker refuses, say), which halted a consumer.
      retry: { retries: timing.clientRetries, restartOnFailure: async () => false },
    });
    this.consumer = c;
    c.on(c.events.GROUP_JOIN, (e) => {
      if (this.consumer !== c) return;
      this.assignment = e.payload.memberAssignment;
      // Offsets of partitions this member no longer holds are not its to commit.
      for (const [k, p] of this.pending) if (!this.holds(p.topic, p.partition)) this.pending.delete(k);
      this.member = true;
      this.status.resetLag();
      this.status.running();
      for (const w of this.waiters.splice(0)) w();
    });
    for (const ev of [c.events.REBALANCING, c.events.STOP, c.events.CRASH, c.events.DISCONNECT])
      c.on(ev, () => {
        if (this.consumer === c) this.member = false;
      });
    c.on(c.events.COMMIT_OFFSETS, (e) => {
      for (const t of e.payload.topics)
        for (const p of t.partitions) {
          const k = partitionKey(t.topic, p.partition);
          const o = BigInt(p.offset);
          if (o > (this.committedUpTo.get(k) ?? -1n)) this.committedUpTo.set(k, o);
        }
    });
    c.on(c.events.CRASH, (e) => {
      if (this.consumer !== c) return;
      this.replace(c, `crashed: ${failureCode(e.payload.error)}`);
    });
    // A disconnect we did not ask for (no crash follows): the consumer is gone all the same.
    c.on(c.events.DISCONNECT, () => {
      setTimeout(() => {
        if (this.consumer === c) this.replace(c, 'disconnected');
      }, timing.disconnectGraceMs).unref();
    });
    try {
      await c.connect();
      await c.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning ?? true });
      await c.run({
        eachBatchAutoResolve: false,
        autoCommit: opts.offsetCommits !== 'interval',
        partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 1,
        eachBatch: async (payload) => {
          await consumeBatch(this.ctx(), payload);
          this.failures = 0;
        },
      });
    } catch (e) {
      if (this.consumer === c) this.replace(c, `failed to start: ${failureCode(e)}`);
    }
  }

  /** Drops a consumer that stopped and makes another after a backoff. Never gives up. */
  private replace(c: Consumer, reason: string): void {
    if (this.stopping || this.consumer !== c) return;
    this.consumer = null;
    this.member = false;
    // A successor starts from what the broker holds; what was handled since is read again and skipped by checkpoint.
    this.pending.clear();
    this.status.stopped(reason);
    const wait = backoffMs(this.failures++, { initialMs: this.timing.restartInitialMs, maxMs: this.timing.restartMaxMs }, this.random);
    this.opts.log('error', 'consumer stopped; restarting', { consumer: this.opts.name, reason, inMs: wait });
    void c.disconnect().catch(() => undefined);
    this.restartTimer = setTimeout(() => {
      this.restarts += 1;
      this.status.starting(reason);
      void this.spawn();
    }, wait);
  }

  private ctx(): BatchContext<T> {
    return {
      ...this.opts,
      status: this.status,
      timing: this.timing,
      random: this.random,
      hooks: this.opts.hooks ?? NO_HOOKS,
      handled: (topic, partition, next) => void this.pending.set(partitionKey(topic, partition), { topic, partition, offset: next }),
    };
  }

  /**
   * `interval` commits: writes the offsets handled since the last commit, one commit at a time.
   * An offset at or below what the broker confirmed is never sent (a commit never moves back). One
   * not confirmed (a rebalance under way, the coordinator moving, kafkajs not running) is kept for
   * the next tick, unless a newer one came or the partition is no longer this member's.
   */
  private commitPending(): Promise<void> {
    if (this.committing === null)
      this.committing = this.commitOnce().finally(() => {
        this.committing = null;
      });
    return this.committing;
  }

  private async commitOnce(): Promise<void> {
    const c = this.consumer;
    if (c === null || !this.member || this.pending.size === 0) return;
    const above = (t: { topic: string; partition: number; offset: string }) =>
      BigInt(t.offset) > (this.committedUpTo.get(partitionKey(t.topic, t.partition)) ?? -1n);
    const taken = [...this.pending.values()].filter(above);
    this.pending.clear();
    if (!taken.length) return;
    try {
      await c.commitOffsets(taken);
    } catch (e) {
      this.opts.log('debug', 'offset commit failed; trying again', { consumer: this.opts.name, error: failureCode(e) });
    }
    for (const t of taken) {
      const k = partitionKey(t.topic, t.partition);
      if (above(t) && !this.pending.has(k) && this.holds(t.topic, t.partition)) this.pending.set(k, t);
    }
  }

  private holds(topic: string, partition: number): boolean {
    return (this.assignment[topic] ?? []).includes(partition);
  }

  /** Lag over this member's partitions: high watermark minus committed offset. */
  private async sampleLag(): Promise<void> {
    if (this.stopping || this.status.current !== 'running') return;
    try {
      if (!this.admin) {
        this.admin = this.opts.kafka.admin();
        await this.admin.connect();
      }
      const topics = Object.keys(this.assignment);
      if (!topics.length) return;
      const committed = await this.admin.fetchOffsets({ groupId: this.groupId, topics });
      let lag = 0;
      let done = 0;
      const partitions: PartitionLag[] = [];
      for (const topic of topics) {
        const ends = await this.admin.fetchTopicOffsets(topic);
        const mine = new Set(this.assignment[topic]);
        for (const end of ends.filter((e) => mine.has(e.partition))) {
          const c = committed.find((t) => t.topic === topic)?.partitions.find((p) => p.partition === end.partition);
          const at = c && Number(c.offset) >= 0 ? Number(c.offset) : Number(end.low);
          lag += Math.max(0, Number(end.high) - at);
          done += at;
          partitions.push({ topic, partition: end.partition, lag: Math.max(0, Number(end.high) - at) });
        }
      }
      this.status.sample({ at: this.opts.now(), lag, committed: done });
      const hooks = this.opts.hooks;
      if (!hooks) return;
      hooks.lag(partitions);
      // The DLQs' depth too, for the metrics only: a consumer without hooks does not ask.
      for (const topic of this.opts.topics) {
        const dlq = await this.admin.fetchTopicOffsets(dlqOf(topic));
        hooks.dlqDepth(
          dlqOf(topic),
          dlq.reduce((n, p) => n + Math.max(0, Number(p.high) - Number(p.low)), 0),
          dlq.map((p) => ({ partition: p.partition, low: p.low, high: p.high })),
        );
      }
    } catch (e) {
      this.opts.log('debug', 'lag sample failed', { consumer: this.opts.name, error: failureCode(e) });
    }
  }
}

type BatchContext<T> = ConsumerOptions<T> & {
  status: ConsumerStatus;
  timing: ConsumerTiming;
  random: () => number;
  hooks: ConsumerHooks;
  /** A partition handled up to the offset before `next` (`interval` commits keep it). */
  handled: (topic: string, partition: number, next: string) => void;
};

/** How an attempt ended: done, refused by the message (the error), or given up (see attempt). */
type Outcome = { kind: 'ok' } | { kind: 'permanent'; error: PermanentError } | { kind: 'abandoned' };

async function consumeBatch<T>(ctx: BatchContext<T>, payload: EachBatchPayload): Promise<void> {
  const { batch, resolveOffset, commitOffsetsIfNecessary, isRunning, isStale } = payload;
  if (!batch.messages.length || !isRunning() || isStale()) return;
  const started = process.hrtime.bigint();
  const valid: Incoming<T>[] = [];
  const dead: DeadLetter[] = [];
  for (const m of batch.messages) {
    const decoded = ctx.decode(batch.topic, m.value);
    if (decoded.ok) valid.push(toIncoming(batch.topic, batch.partition, m, decoded.value));
    else dead.push(letter(ctx.name, batch.topic, batch.partition, m, decoded.error.code, decoded.error.reason));
  }
  const where = partitionKey(batch.topic, batch.partition);
  if (dead.length) {
    const sent = await attempt(ctx, payload, where, () => sendToDlq(ctx.producer, dead, ctx.now(), ctx.park));
    if (sent.kind !== 'ok') return;
    for (const d of dead) {
      ctx.log('warn', 'message sent to DLQ', { consumer: ctx.name, topic: d.topic, partition: d.partition, offset: d.offset, code: d.code });
      ctx.hooks.deadLettered(batch.topic, d.code, 1);
    }
  }
  const lastOffset = batch.lastOffset();
  const whole: PartitionBatch<T> = { topic: batch.topic, partition: batch.partition, messages: valid, lastOffset };
  let handled: void | BatchHandled = undefined;
  const outcome = await attempt(ctx, payload, where, async () => {
    handled = await ctx.handle(whole);
  });
  let applied = valid;
  switch (outcome.kind) {
    case 'ok':
      if (isBatchHandled(handled)) applied = valid.slice(handled.behindCheckpoint);
      break;
    case 'permanent': {
      const notApplied = await oneByOne(ctx, payload, valid);
      if (notApplied === null) return;
      applied = valid.filter((v) => !notApplied.has(v.offset));
      break;
    }
    case 'abandoned':
      return; // hold the position: the batch is fetched again
    default:
      return assertNever(outcome);
  }
  resolveOffset(lastOffset);
  if (ctx.offsetCommits === 'interval') ctx.handled(batch.topic, batch.partition, (BigInt(lastOffset) + 1n).toString());
  else await commitOffsetsIfNecessary();
  ctx.hooks.batchApplied(
    batch.topic,
    Number(process.hrtime.bigint() - started) / 1e9,
    applied.map((m) => Number(m.timestamp)),
  );
}

/**
 * Re-runs a batch one message at a time after a PermanentError, so only the refused message
 * goes to the DLQ. Only then is the checkpoint moved past it (the "skip"): a message met by
 * an environmental failure is never skipped. The offsets not applied (refused, or behind the
 * checkpoint as the handler said), or null when it had to give up (see attempt).
 */
async function oneByOne<T>(ctx: BatchContext<T>, payload: EachBatchPayload, valid: Incoming<T>[]): Promise<Set<string> | null> {
  const { batch } = payload;
  const where = partitionKey(batch.topic, batch.partition);
  const byOffset = new Map(valid.map((v) => [v.offset, v]));
  const notApplied = new Set<string>();
  for (const m of batch.messages) {
    const incoming = byOffset.get(m.offset);
    const single: PartitionBatch<T> = { topic: batch.topic, partition: batch.partition, messages: incoming ? [incoming] : [], lastOffset: m.offset };
    let handled: void | BatchHandled = undefined;
    const outcome = await attempt(ctx, payload, where, async () => {
      handled = await ctx.handle(single);
    });
    switch (outcome.kind) {
      case 'ok':
        if (isBatchHandled(handled) && handled.behindCheckpoint > 0) notApplied.add(m.offset);
        break;
      case 'abandoned':
        return null;
      case 'permanent': {
        const { code, message } = outcome.error;
        const dead = letter(ctx.name, batch.topic, batch.partition, m, code, message);
        const sent = await attempt(ctx, payload, where, () => sendToDlq(ctx.producer, [dead], ctx.now(), ctx.park));
        if (sent.kind !== 'ok') return null;
        notApplied.add(m.offset);
        ctx.hooks.deadLettered(batch.topic, code, 1);
        ctx.log('warn', 'message refused by its handler; sent to DLQ', {
          consumer: ctx.name,
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          code,
        });
        const skip: PartitionBatch<T> = { topic: batch.topic, partition: batch.partition, messages: [], lastOffset: m.offset };
        const skipped = await attempt(ctx, payload, where, async () => {
          await ctx.handle(skip);
        });
        if (skipped.kind !== 'ok') return null; // a skip refused is a bug: the batch comes again
        break;
      }
      default:
        return assertNever(outcome);
    }
    payload.resolveOffset(m.offset);
  }
  return notApplied;
}

/**
 * Runs `fn` until it succeeds or fails with a PermanentError, retrying every other failure
 * with capped, jittered backoff, heartbeating throughout so the group keeps us. Gives up
 * (abandoned) only when the consumer is stopping or the partition is no longer ours (kafkajs
 * isRunning()/isStale(), or a heartbeat refused because the group is rebalancing); the
 * batch is then not resolved, so it is delivered again.
 */
async function attempt<T>(ctx: BatchContext<T>, payload: EachBatchPayload, where: string, fn: () => Promise<void>): Promise<Outcome> {
  for (let n = 0; ; n++) {
    if (!payload.isRunning() || payload.isStale()) return abandon(ctx, where);
    try {
      await withHeartbeats(fn, payload.heartbeat, ctx.timing.heartbeatInterval);
      ctx.status.recovered(where);
      return { kind: 'ok' };
    } catch (e) {
      const failure = classify(e);
      if (failure.kind === 'permanent') {
        ctx.status.recovered(where);
        return { kind: 'permanent', error: e as PermanentError };
      }
      ctx.status.retrying(where, failure.code, ctx.now());
      ctx.hooks.retried(payload.batch.topic, failure.code);
      const wait = backoffMs(n, { initialMs: ctx.timing.retryInitialMs, maxMs: ctx.timing.retryMaxMs }, ctx.random);
      // Code and class only: an error's text can quote a message's personal data.
      if (n < LOGGED_FIRST_RETRIES || n % LOGGED_RETRY_EVERY === 0) {
        ctx.log('warn', 'environmental failure; holding position and retrying', {
          consumer: ctx.name,
          partition: where,
          attempt: n + 1,
          error: failure.code,
          inMs: wait,
        });
      }
      if (!(await waitKeepingMembership(payload, wait, ctx.timing))) return abandon(ctx, where);
    }
  }
}

function abandon<T>(ctx: BatchContext<T>, where: string): Outcome {
  ctx.status.recovered(where);
  return { kind: 'abandoned' };
}

/** Runs fn, heartbeating meanwhile: a handler slower than the session must not cost us the group. */
async function withHeartbeats(fn: () => Promise<void>, heartbeat: () => Promise<void>, everyMs: number): Promise<void> {
  const timer = setInterval(() => void heartbeat().catch(() => undefined), everyMs);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
}

/** Sleeps `ms` in short steps, heartbeating; false as soon as the batch is no longer ours. */
async function waitKeepingMembership(payload: EachBatchPayload, ms: number, timing: ConsumerTiming): Promise<boolean> {
  const until = Date.now() + ms;
  let beat = 0;
  while (Date.now() < until) {
    if (!payload.isRunning() || payload.isStale()) return false;
    if (Date.now() >= beat) {
      beat = Date.now() + timing.heartbeatInterval;
      try {
        await payload.heartbeat();
      } catch {
        return false; // rebalancing or no longer a member: let kafkajs rejoin, re-fetch later
      }
    }
    await new Promise((r) => setTimeout(r, Math.min(timing.waitStepMs, Math.max(0, until - Date.now()))));
  }
  return payload.isRunning() && !payload.isStale();
}

function toIncoming<T>(topic: string, partition: number, m: KafkaMessage, value: T): Incoming<T> {
  return { topic, partition, offset: m.offset, key: m.key?.toString() ?? null, timestamp: m.timestamp, value };
}

function letter(consumer: string, topic: string, partition: number, m: KafkaMessage, code: string, reason: string): DeadLetter {
  return { consumer, topic, partition, offset: m.offset, key: m.key?.toString() ?? null, code, reason, original: m.value ?? null };
}

function assertNever(x: never): never {
  throw new Error(`unexpected outcome ${JSON.stringify(x)}`);
}
