import { ConsumerStatus } from '@trial/messaging';
import { consumerHooks, countDecisions, watchConsumerStatus } from './consumer-hooks';
import { ServiceMetrics } from './definitions';
import { dateSeconds } from './state-gauges';

/** Every label the services' own metrics may carry: bounded, and none names a person or an arm. */
const ALLOWED_LABELS = new Set(['consumer', 'topic', 'partition', 'code', 'outcome', 'trial_id', 'reason', 'registry', 'le']);

describe('ServiceMetrics', () => {
  it('follows the Prometheus naming conventions, with no label that could carry a person or an arm', async () => {
    const m = new ServiceMetrics();
    const ours = (await m.registry.getMetricsAsJSON()).filter((x) => x.name.startsWith('followup_'));
    expect(ours.length).toBeGreaterThanOrEqual(17);
    // Only the service that reads the state (StateGauges) has this one: elsewhere it would read 0, a failure.
    expect(ours.map((x) => x.name)).not.toContain('followup_state_read_success');
    for (const x of ours) {
      expect(x.name).toMatch(/^followup_[a-z][a-z0-9_]*[a-z0-9]$/);
      expect(x.name.endsWith('_total')).toBe(String(x.type) === 'counter');
      if (/_(duration|age|freshness|timestamp)(_|$)|publish_to/.test(x.name)) expect(x.name).toMatch(/_seconds$/);
      expect(x.help.length).toBeGreaterThan(10);
    }
    const labels = ours.flatMap((x) => (m.registry.getSingleMetric(x.name) as unknown as { labelNames: string[] }).labelNames);
    for (const l of labels) expect(ALLOWED_LABELS.has(l)).toBe(true);
    expect(labels.filter((l) => /patient|nhs|chi|arm|name|record|birth/.test(l))).toEqual([]);
  });

  it('has the Node defaults, in a registry of its own per instance', async () => {
    const a = new ServiceMetrics();
    const b = new ServiceMetrics();
    expect(a.registry).not.toBe(b.registry);
    const text = await a.registry.metrics();
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });
});

describe('consumerHooks', () => {
  const topic = 'trial.enrollments';

  it('counts applied messages, dead letters and retries, and times batches and publish-to-apply', async () => {
    const m = new ServiceMetrics();
    const hooks = consumerHooks(m, 'projector', () => 10_000);
    hooks.batchApplied(topic, 0.2, [7_500, 9_000, 11_000]);
    hooks.batchApplied(topic, 0.03, []);
    hooks.deadLettered(topic, 'schema-invalid', 2);
    hooks.retried(topic, 'ECONNREFUSED');
    const text = await m.registry.metrics();
    expect(text).toContain(`followup_messages_applied_total{consumer="projector",topic="${topic}"} 3`);
    expect(text).toContain(`followup_messages_dead_lettered_total{consumer="projector",topic="${topic}",code="schema-invalid"} 2`);
    expect(text).toContain(`followup_consumer_retries_total{consumer="projector",topic="${topic}",code="ECONNREFUSED"} 1`);
    expect(text).toContain(`followup_batch_duration_seconds_count{consumer="projector",topic="${topic}"} 2`);
    // 2.5 s, 1 s and (a clock behind the broker's) 0 s.
    expect(text).toContain(`followup_publish_to_apply_seconds_sum{consumer="projector",topic="${topic}"} 3.5`);
    expect(text).toContain(`followup_publish_to_apply_seconds_bucket{le="0.05",consumer="projector",topic="${topic}"} 1`);
  });

  it('reports lag only for the partitions held at the last sample', async () => {
    const m = new ServiceMetrics();
    const hooks = consumerHooks(m, 'linkage');
    hooks.lag([
      { topic, partition: 0, lag: 5 },
      { topic, partition: 1, lag: 0 },
    ]);
    hooks.lag([{ topic, partition: 1, lag: 3 }]);
    hooks.dlqDepth(`${topic}.dlq`, 4, [{ partition: 0, low: '0', high: '4' }]);
    const text = await m.registry.metrics();
    expect(text).not.toContain('partition="0"');
    expect(text).toContain(`followup_consumer_lag_messages{consumer="linkage",topic="${topic}",partition="1"} 3`);
    expect(text).toContain(`followup_dlq_messages{topic="${topic}.dlq"} 4`);
  });

  it('counts the open dead letters apart from the depth, and drops the count it cannot read', async () => {
    const m = new ServiceMetrics();
    let open: Promise<number> = Promise.resolve(1);
    const asked: unknown[] = [];
    const hooks = consumerHooks(m, 'linkage', Date.now, (t, extents) => {
      asked.push([t, extents]);
      return open;
    });
    const extents = [{ partition: 0, low: '2', high: '5' }];
    hooks.dlqDepth('trial.enrollments.dlq', 3, extents);
    await open;
    expect(asked).toEqual([['trial.enrollments.dlq', extents]]);
    let text = await m.registry.metrics();
    expect(text).toContain('followup_dlq_messages{topic="trial.enrollments.dlq"} 3');
    expect(text).toContain('followup_dlq_open_letters{topic="trial.enrollments.dlq"} 1');
    open = Promise.reject(new Error('postgres down'));
    hooks.dlqDepth('trial.enrollments.dlq', 3, extents);
    await open.catch(() => undefined);
    await new Promise((r) => setImmediate(r));
    text = await m.registry.metrics();
    expect(text).not.toContain('followup_dlq_open_letters{');
    expect(text).toContain('followup_dlq_messages{topic="trial.enrollments.dlq"} 3');
  });

  it('reads running and ready from the consumer status at each scrape', async () => {
    const m = new ServiceMetrics();
    const status = new ConsumerStatus();
    watchConsumerStatus(m, 'projector', status);
    status.starting();
    expect(await m.registry.metrics()).toContain('followup_consumer_running{consumer="projector"} 0');
    status.running();
    const up = await m.registry.metrics();
    expect(up).toContain('followup_consumer_running{consumer="projector"} 1');
    expect(up).toContain('followup_consumer_ready{consumer="projector"} 1');
    status.stopped('disconnected');
    expect(await m.registry.metrics()).toContain('followup_consumer_running{consumer="projector"} 0');
  });

  it('counts linkage decisions by outcome', async () => {
    const m = new ServiceMetrics();
    countDecisions(m, { linked: 2, review: 1, unlinked: 0, none: 4 });
    const text = await m.registry.metrics();
    expect(text).toContain('followup_linkage_decisions_total{outcome="linked"} 2');
    expect(text).toContain('followup_linkage_decisions_total{outcome="none"} 4');
    expect(text).not.toContain('outcome="unlinked"');
  });
});

describe('dateSeconds', () => {
  it('is the start of the day, UTC', () => expect(dateSeconds('2026-03-31')).toBe(Date.UTC(2026, 2, 31) / 1000));
});
