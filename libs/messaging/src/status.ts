/**
 * What a consumer is doing, for /health. `none`: this service has no consumer. Reasons are
 * codes and classes (see failureCode), never an error's text or a message's content.
 */
export type ConsumerState = 'none' | 'starting' | 'running' | 'retrying' | 'stopped';

/** One lag reading: messages behind over the assigned partitions, and offsets committed. */
export interface LagSample {
  at: string;
  lag: number;
  committed: number;
}

export interface Readiness {
  ready: boolean;
  state: ConsumerState;
  reason: string | null;
  /** Partitions retrying an environmental failure, with its code and since when. */
  retrying: Array<{ partition: string; reason: string; since: string }>;
  lag: number | null;
  lagGrowing: boolean;
}

/**
 * True when lag grew at each of the last `n` samples while nothing was committed: the
 * consumer is not keeping up because it is not consuming, not merely busy.
 */
export function lagKeepsGrowing(samples: LagSample[], n: number): boolean {
  if (n < 1 || samples.length < n + 1) return false;
  const last = samples.slice(-(n + 1));
  for (let i = 1; i < last.length; i++) {
    if (!(last[i].lag > last[i - 1].lag) || last[i].committed !== last[i - 1].committed) return false;
  }
  return true;
}

/** Mutable status of one service's consumer, written by runConsumer, read by /health. */
export class ConsumerStatus {
  private state: ConsumerState = 'none';
  private reason: string | null = null;
  private readonly retries = new Map<string, { reason: string; since: string }>();
  private samples: LagSample[] = [];

  /** `growthSamples`: how many rising lag samples in a row make the consumer not ready. */
  constructor(
    readonly growthSamples = 3,
    private readonly keep = 20,
  ) {}

  get current(): ConsumerState {
    return this.state;
  }

  starting(reason: string | null = null): void {
    this.state = 'starting';
    this.reason = reason;
  }

  running(): void {
    this.state = 'running';
    this.reason = null;
  }

  stopped(reason: string): void {
    this.state = 'stopped';
    this.reason = reason;
    this.retries.clear();
  }

  retrying(partition: string, reason: string, at: string): void {
    const before = this.retries.get(partition);
    this.retries.set(partition, { reason, since: before?.reason === reason ? before.since : at });
  }

  recovered(partition: string): void {
    this.retries.delete(partition);
  }

  sample(s: LagSample): void {
    this.samples = [...this.samples, s].slice(-this.keep);
  }

  /** Lag samples are per assignment; a new one starts a new series. */
  resetLag(): void {
    this.samples = [];
  }

  readiness(): Readiness {
    const retrying = [...this.retries].map(([partition, r]) => ({ partition, ...r }));
    const lagGrowing = lagKeepsGrowing(this.samples, this.growthSamples);
    const lag = this.samples.length ? this.samples[this.samples.length - 1].lag : null;
    const state: ConsumerState = this.state === 'running' && retrying.length ? 'retrying' : this.state;
    const reason =
      state === 'retrying'
        ? `retrying an environmental failure: ${[...new Set(retrying.map((r) => r.reason))].join(', ')}`
        : state === 'running' && lagGrowing
          ? `lag grew over ${this.growthSamples} samples while nothing was committed`
          : this.reason;
    return { ready: state === 'none' || (state === 'running' && !lagGrowing), state, reason, retrying, lag, lagGrowing };
  }
}
