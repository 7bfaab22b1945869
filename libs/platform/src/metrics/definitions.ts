import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric the services expose, defined here and nowhere else. Names
 * follow the Prometheus conventions: `followup_` prefix, snake_case, the unit in the name in
 * base units (seconds), counters ending `_total`, timestamps as `_timestamp_seconds`.
 *
 * Labels are bounded and carry no personal identifier and no arm figure: consumer, topic,
 * partition, a reason's code, a registry's source, a linkage outcome, and a trial's id (a
 * trial id names a study, not a person). Never a patient id, a record id, an NHS number, an
 * arm or a count by arm.
 *
 * One registry per service instance (not prom-client's global one), so tests can run several
 * services in one process.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  /** What fills a gauge when it is scraped (whenScraped); before the metrics, which use it. */
  private readonly fillers = new Map<string, () => void | Promise<void>>();

  // Consumers (linkage, projector): written through the hooks (consumer-hooks.ts).
  readonly consumerRunning = this.gauge(
    'followup_consumer_running',
    '1 while the consumer is running (joined its group), 0 while starting or stopped.',
    ['consumer'],
  );
  readonly consumerReady = this.gauge(
    'followup_consumer_ready',
    '1 while /health calls the consumer ready: running, not retrying, lag not growing.',
    ['consumer'],
  );
  readonly consumerLag = this.gauge('followup_consumer_lag_messages', 'Messages past the committed offset, per partition this instance holds.', [
    'consumer',
    'topic',
    'partition',
  ]);
  readonly applied = this.counter('followup_messages_applied_total', 'Messages handled and committed (a redelivered duplicate counts again).', [
    'consumer',
    'topic',
  ]);
  readonly deadLettered = this.counter('followup_messages_dead_lettered_total', 'Messages sent to their DLQ, by reason code.', [
    'consumer',
    'topic',
    'code',
  ]);
  readonly retries = this.counter('followup_consumer_retries_total', 'Retries of an environmental failure, by failure code (the position is held).', [
    'consumer',
    'topic',
    'code',
  ]);
  readonly batchDuration = new Histogram({
    name: 'followup_batch_duration_seconds',
    help: 'Time to handle and commit one partition batch, retries included.',
    labelNames: ['consumer', 'topic'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly publishToApply = new Histogram({
    name: 'followup_publish_to_apply_seconds',
    help: "Time from a message's publication (its Kafka timestamp) to its batch committed; at the projector, publish to read-out.",
    labelNames: ['consumer', 'topic'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    registers: [this.registry],
  });
  readonly dlqMessages = this.gauge('followup_dlq_messages', 'Messages held on a DLQ topic (its retention is four weeks).', ['topic']);
  readonly dlqOpenLetters = this.gauge(
    'followup_dlq_open_letters',
    'Letters on a DLQ topic neither re-driven nor discarded: what waits for an operator.',
    ['topic'],
  );
  readonly linkageDecisions = this.counter('followup_linkage_decisions_total', 'Linkage decisions (a record in a trial), by outcome.', ['outcome']);

  // The read side's state (the API, read from Postgres at each scrape; state-gauges.ts).
  readonly reviewQueueItems = this.gauge('followup_review_queue_items', 'Open clerical review items.', ['trial_id', 'reason']);
  readonly reviewQueueOldest = this.gauge('followup_review_queue_oldest_age_seconds', 'Age of the oldest open review item.', ['trial_id']);
  readonly readoutFreshness = this.gauge('followup_readout_freshness_seconds', 'Time since the read-out last applied an event.', ['trial_id']);
  readonly readoutLastApplied = this.gauge('followup_readout_last_applied_timestamp_seconds', 'When the read-out last applied an event.', [
    'trial_id',
  ]);
  readonly readoutCompleteness = this.gauge(
    'followup_readout_complete_up_to_timestamp_seconds',
    "The registry completeness date (start of day, UTC) the trial's latest read-out uses.",
    ['trial_id', 'registry'],
  );
  readonly registryCompleteUpTo = this.gauge(
    'followup_registry_complete_up_to_timestamp_seconds',
    "Each registry's completeness date (start of day, UTC).",
    ['registry'],
  );
  readonly registryCompletenessMoved = this.gauge(
    'followup_registry_completeness_moved_timestamp_seconds',
    "When a registry's completeness date last moved (as the projector recorded it).",
    ['registry'],
  );
  /** Registered by StateGauges only: an unlabelled gauge reads 0 until set, which would be a false failure elsewhere. */
  readonly stateReadSuccess = new Gauge({
    name: 'followup_state_read_success',
    help: '1 when the last read of the state gauges above succeeded, 0 when it failed.',
    registers: [],
    collect: () => this.fillers.get('followup_state_read_success')?.(),
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Sets what fills gauge `g` each time Prometheus scrapes (a state read at the moment). */
  whenScraped<L extends string>(g: Gauge<L>, fill: () => void | Promise<void>): void {
    this.fillers.set((g as unknown as { name: string }).name, fill);
  }

  private gauge<L extends string>(name: string, help: string, labelNames: L[]): Gauge<L> {
    const fillers = this.fillers;
    return new Gauge({ name, help, labelNames, registers: [this.registry], collect: () => fillers.get(name)?.() });
  }

  private counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }
}
