import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { KafkaJSNonRetriableError, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { decode } from '@trial/contracts';
import { applyWithCheckpoint, createDataSource, migrate, parkDeadLetter } from '@trial/storage';
import { createProducer } from './kafka';
import { runConsumer, PartitionBatch, RunningConsumer, ConsumerOptions, type BatchHandled } from './consumer';
import { NO_HOOKS, type ConsumerHooks } from './hooks';
import { PermanentError } from './errors';
import { ConsumerStatus } from './status';
import { eventually, privateTopics, readAll, testKafka, TEST_DATABASE_URL, uniqueId } from '../../../test/support';

type N = { n: number };
const schema = z.object({ n: z.number() });
const dlqOriginal = (v: unknown) => Buffer.from((v as { originalBase64: string }).originalBase64, 'base64');

/**
 * runConsumer on the real broker and database. Only a PermanentError dead-letters a message;
 * every other failure (a full disk, here) is retried while the consumer holds its position
 * and says so on its status; a dead letter never exceeds the DLQ topic's limit; a consumer
 * that stops restarts itself.
 */
describe('runConsumer (real Kafka and Postgres)', () => {
  const kafka = testKafka();
  let ds: DataSource;
  let producer: Producer;
  const running: RunningConsumer[] = [];
  const drops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    ds = await createDataSource(TEST_DATABASE_URL, { poolSize: 4 }).initialize();
    await migrate(ds);
    producer = createProducer(kafka);
    await producer.connect();
  });

  afterAll(async () => {
    for (const r of running) await r.disconnect();
    await producer.disconnect();
    for (const d of drops) await d();
    await ds.destroy();
  });

  /** A consumer of `topic` in group `name` that logs nothing. */
  const optionsFor = (name: string, topic: string, handle: (batch: PartitionBatch<N>) => Promise<void | BatchHandled>): ConsumerOptions<N> => ({
    kafka,
    producer,
    name,
    topics: [topic],
    decode: (_t, raw) => decode(schema, raw),
    log: () => undefined,
    now: () => new Date().toISOString(),
    park: (l, at) => parkDeadLetter(ds, l, at),
    handle,
  });

  async function start(label: string, handle: (batch: PartitionBatch<N>) => Promise<void>, extra: Partial<ConsumerOptions<N>> = {}) {
    const { topics, drop } = await privateTopics(kafka, label);
    drops.push(drop);
    const name = uniqueId(`rc-${label}`);
    const consumer = await runConsumer<N>({
      ...optionsFor(name, topics.enrollments, handle),
      timing: { retryInitialMs: 100, retryMaxMs: 500, restartInitialMs: 200, restartMaxMs: 1_000 },
      ...extra,
    });
    running.push(consumer);
    return { topic: topics.enrollments, name, consumer };
  }

  it('isolates a message its handler refuses (PermanentError) and retries an unknown failure until it passes', async () => {
    const applied: number[] = [];
    let unknownLeft = 5; // more than the three attempts after which the old consumer dead-lettered it
    const { topic } = await start('poison', async (batch) => {
      if (batch.messages.some((m) => m.value.n === 3)) throw new PermanentError('bad-number', 'n = 3 is not allowed');
      // A plain Error: not provably the message's fault, so retried, never dead-lettered.
      if (batch.messages.some((m) => m.value.n === 5) && unknownLeft-- > 0) throw new Error('something odd');
      applied.push(...batch.messages.map((m) => m.value.n));
    });
    await producer.send({ topic, messages: [1, 2, 3, 4, 5].map((n) => ({ key: 'same', value: JSON.stringify({ n }) })) });
    await eventually(async () => (applied.length === 4 ? true : undefined), 'four messages applied');
    expect(applied.sort()).toEqual([1, 2, 4, 5]);
    const dead = await readAll(kafka, `${topic}.dlq`, 1);
    expect(dead).toHaveLength(1);
    expect(dead[0].value).toMatchObject({ code: 'bad-number', reason: 'n = 3 is not allowed', parkedId: null });
    expect(dlqOriginal(dead[0].value).toString()).toBe('{"n":3}');
  });

  it('holds its position through a full disk (53100): nothing dead-lettered, applied once, not ready meanwhile', async () => {
    await ds.query('create table if not exists a_consumer_effects (consumer text not null, n int not null)');
    let failingUntil = 0;
    let failures = 0;
    const status = new ConsumerStatus();
    const { topic, name } = await start(
      'diskfull',
      async (batch) => {
        await applyWithCheckpoint(ds, name, batch.topic, batch.partition, batch.messages, batch.lastOffset, async (tx, fresh) => {
          for (const m of fresh) {
            if (m.value.n === 2) {
              if (failingUntil === 0) failingUntil = Date.now() + 3_000;
              if (Date.now() < failingUntil) {
                failures++;
                throw Object.assign(new Error('could not extend file "base/16384/2619": No space left on device'), {
                  code: '53100',
                  severity: 'ERROR',
                });
              }
            }
            await tx.query('insert into a_consumer_effects (consumer, n) values ($1, $2)', [name, m.value.n]);
          }
        });
      },
      { status },
    );
    const effects = async () =>
      (await ds.query('select n from a_consumer_effects where consumer = $1 order by n', [name])).map((r: { n: number }) => r.n);
    const checkpoint = async () => Number((await ds.query('select "offset" from consumer_checkpoints where consumer = $1', [name]))[0]?.offset ?? -1);

    const [first] = await producer.send({ topic, messages: [{ key: 'k', value: JSON.stringify({ n: 1 }) }] });
    await eventually(async () => ((await effects()).length === 1 ? true : undefined), 'the first message');
    const [second] = await producer.send({ topic, messages: [2, 3].map((n) => ({ key: 'k', value: JSON.stringify({ n }) })) });
    expect(second.partition).toBe(first.partition);
    const failedAt = Number(second.baseOffset);

    // While the disk is full: the checkpoint stays short of the message, nothing else is
    // applied after it, and the status is not ready, with the reason.
    await eventually(async () => (failures > 0 ? true : undefined), 'the first failure');
    const seen = new Set<string>();
    while (Date.now() < failingUntil - 300) {
      expect(await checkpoint()).toBeLessThan(failedAt);
      expect(await effects()).toEqual([1]);
      const r = status.readiness();
      seen.add(`${r.ready} ${r.state} ${r.reason}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect([...seen]).toEqual(['false retrying retrying an environmental failure: postgres 53100 (disk full)']);

    await eventually(async () => ((await effects()).length === 3 ? true : undefined), 'all three applied once the disk has room', 15_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(await effects()).toEqual([1, 2, 3]);
    expect(failures).toBeGreaterThan(2);
    expect(await checkpoint()).toBe(failedAt + 1);
    await eventually(async () => (status.readiness().ready ? true : undefined), 'ready again');
    // Nothing reached the DLQ: a marker dead letter sent after is the only one there.
    await producer.send({ topic, messages: [{ key: 'k', value: 'not json' }] });
    const dead = await readAll(kafka, `${topic}.dlq`, 1);
    expect(dead.map((d) => (d.value as { code: string }).code)).toEqual(['invalid-json']);
  });

  it('dead-letters a 600 KB message (parked) and 200 KB of random bytes (base64, exact) and carries on', async () => {
    const applied: number[] = [];
    const { topic, name, consumer } = await start('oversize', async (batch) => {
      applied.push(...batch.messages.map((m) => m.value.n));
    });
    // Valid JSON of the wrong schema, full of quotes: 1.1 MB once JSON-escaped into a string.
    const big = Buffer.from(JSON.stringify({ n: 'not a number', pad: new Array(210_000).fill('') }));
    expect(big.length).toBeGreaterThan(600_000);
    const random = randomBytes(200 * 1024);
    // A NUL in the key, which Postgres text refuses: the park row must still be written.
    await producer.send({
      topic,
      messages: [
        { key: 'k\u0000', value: big },
        { key: 'k', value: random },
        { key: 'k', value: JSON.stringify({ n: 7 }) },
      ],
    });
    await eventually(async () => (applied.includes(7) ? true : undefined), 'the valid message after both', 20_000);

    const dead = await readAll(kafka, `${topic}.dlq`, 2);
    const byCode = Object.fromEntries(dead.map((d) => [(d.value as { code: string }).code, d.value as Record<string, unknown>]));
    expect(byCode['invalid-json']).toMatchObject({ consumer: name, originalBytes: random.length, parkedId: null });
    expect(dlqOriginal(byCode['invalid-json']).equals(random)).toBe(true);
    expect(byCode['invalid-message']).toMatchObject({ originalBase64: null, originalBytes: big.length });
    const parked = await ds.query('select id::text, topic, code, original from dead_letter_park where id = $1', [byCode['invalid-message'].parkedId]);
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ topic, code: 'invalid-message' });
    expect((parked[0].original as Buffer).equals(big)).toBe(true);
    expect(consumer.restarts).toBe(0);
    expect(consumer.status.readiness()).toMatchObject({ ready: true, state: 'running' });
  });

  it('restarts itself after a crash kafkajs will not restart from, and after a disconnect', async () => {
    const applied: number[] = [];
    let crashes = 1;
    const { topic, consumer } = await start(
      'crash',
      async (batch) => {
        applied.push(...batch.messages.map((m) => m.value.n));
      },
      {
        // An error that escapes eachBatch and that kafkajs deems non-retriable: it stops the consumer for good.
        decode: (_t, raw) => {
          if (crashes-- > 0) throw new KafkaJSNonRetriableError('simulated fatal error');
          return decode(schema, raw);
        },
      },
    );
    await producer.send({ topic, messages: [{ key: 'k', value: JSON.stringify({ n: 1 }) }] });
    await eventually(async () => (applied.includes(1) ? true : undefined), 'the message, after a restart');
    expect(consumer.restarts).toBeGreaterThanOrEqual(1);

    // A consumer that disconnects without being asked to is replaced as well.
    const before = consumer.restarts;
    await consumer.current()!.disconnect();
    await eventually(
      async () => (consumer.restarts > before && consumer.status.readiness().ready ? true : undefined),
      'a restart after the disconnect',
    );
    await producer.send({ topic, messages: [{ key: 'k', value: JSON.stringify({ n: 2 }) }] });
    await eventually(async () => (applied.includes(2) ? true : undefined), 'a message after the restart');
    expect(applied).toEqual([1, 2]);
  });

  it('is not ready while its lag keeps growing and nothing is committed, and ready once it catches up', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const status = new ConsumerStatus(3);
    const applied: number[] = [];
    // A handler stuck on something that neither fails nor finishes (a lock, say).
    const { topic } = await start(
      'lag',
      async (batch) => {
        if (batch.messages.some((m) => m.value.n === 1)) await gate;
        applied.push(...batch.messages.map((m) => m.value.n));
      },
      { status, timing: { lagEveryMs: 250 } },
    );
    const sent: number[] = [];
    let pumping = true;
    // New messages keep arriving, one every 150 ms, while the handler is stuck.
    const pump = (async () => {
      for (let n = 1; pumping; n++) {
        await producer.send({ topic, messages: [{ key: 'k', value: JSON.stringify({ n }) }] });
        sent.push(n);
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    try {
      const behind = await eventually(async () => (status.readiness().lagGrowing ? status.readiness() : undefined), 'lag to keep growing', 15_000);
      expect(behind).toMatchObject({ ready: false, state: 'running', reason: 'lag grew over 3 samples while nothing was committed' });
    } finally {
      pumping = false;
      await pump;
    }
    release();
    await eventually(async () => (applied.length === sent.length ? true : undefined), 'everything applied');
    await eventually(async () => (status.readiness().ready ? true : undefined), 'ready once caught up', 10_000);
  });

  it('leaves its group at once when stopped mid-retry, and the next member resumes from the held position', async () => {
    const fail = () => Object.assign(new Error('No space left on device'), { code: '53100', severity: 'ERROR' });
    let tries = 0;
    const { topic, name, consumer } = await start(
      'stop-retry',
      async (batch) => {
        if (batch.messages.length) {
          tries++;
          throw fail();
        }
      },
      { timing: { retryInitialMs: 2_000, retryMaxMs: 10_000 } },
    );
    await producer.send({ topic, messages: [{ key: 'k', value: JSON.stringify({ n: 1 }) }] });
    await eventually(async () => (tries > 0 ? true : undefined), 'the first failure');
    const t0 = Date.now();
    await consumer.disconnect(); // what SIGTERM does, through Nest's shutdown hooks
    expect(Date.now() - t0).toBeLessThan(3_000);
    // A successor in the same group gets the message again: nothing was committed past it.
    const applied: number[] = [];
    const next = await runConsumer<N>(
      optionsFor(name, topic, async (batch) => {
        applied.push(...batch.messages.map((m) => m.value.n));
      }),
    );
    running.push(next);
    await eventually(async () => (applied.includes(1) ? true : undefined), 'the successor to apply the held message', 10_000);
    expect(Date.now() - t0).toBeLessThan(8_000); // it left: no session timeout to wait out
  });
  it("with offsetCommits 'interval', commits on its timer and at disconnect, not per batch; a successor skips by checkpoint", async () => {
    const counted = { rows: 0, hooked: 0 };
    // It says how much of each batch was behind its checkpoint, so the hooks count only what is new.
    const applyOnce = (name: string) => async (batch: PartitionBatch<N>) =>
      applyWithCheckpoint(ds, name, batch.topic, batch.partition, batch.messages, batch.lastOffset, async (_tx, fresh) => {
        counted.rows += fresh.length;
        return { behindCheckpoint: batch.messages.length - fresh.length };
      });
    const hooks: ConsumerHooks = { ...NO_HOOKS, batchApplied: (_topic, _seconds, publishedAt) => void (counted.hooked += publishedAt.length) };
    const label = 'interval';
    const { topics, drop } = await privateTopics(kafka, label);
    drops.push(drop);
    const topic = topics.enrollments;
    const name = uniqueId(`rc-${label}`);
    const opts = (commitEveryMs: number): ConsumerOptions<N> => ({
      ...optionsFor(name, topic, applyOnce(name)),
      offsetCommits: 'interval',
      timing: { commitEveryMs },
      hooks,
    });
    const admin = kafka.admin();
    await admin.connect();
    const committed = async (): Promise<string> => {
      const [t] = await admin.fetchOffsets({ groupId: name, topics: [topic] });
      return t.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0).toString();
    };
    try {
      // A timer far longer than the test: only the disconnect can commit.
      const first = await runConsumer<N>(opts(600_000));
      let commits = 0;
      first.current()!.on(first.current()!.events.COMMIT_OFFSETS, () => void commits++);
      for (let i = 0; i < 20; i++) await producer.send({ topic, messages: [{ key: `k${i % 3}`, value: JSON.stringify({ n: i }) }] });
      await eventually(async () => (counted.rows === 20 ? true : undefined), 'twenty messages applied');
      await new Promise((r) => setTimeout(r, 500));
      expect(commits).toBe(0);
      expect(await committed()).toBe('0');
      await first.disconnect();
      expect(await committed()).toBe('20');

      // Rewound: a successor reads all twenty again and its checkpoint skips every one.
      await admin.resetOffsets({ groupId: name, topic, earliest: true });
      const second = await runConsumer<N>(opts(300));
      running.push(second);
      await producer.send({ topic, messages: [{ key: 'k0', value: JSON.stringify({ n: 20 }) }] });
      // The timer commits what was handled, with no disconnect.
      await eventually(async () => ((await committed()) === '21' ? true : undefined), 'the offsets committed by the timer', 10_000);
      expect(counted.rows).toBe(21);
      // The twenty read again were behind the checkpoint: the metrics' hooks saw each message once.
      expect(counted.hooked).toBe(21);
    } finally {
      await admin.disconnect();
    }
  });
});
