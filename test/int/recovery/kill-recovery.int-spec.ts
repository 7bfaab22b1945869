import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Controller, INestApplication, Module } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { AppConfig } from '@trial/config';
import { EnrollmentEvent } from '@trial/contracts';
import { createProducer, PartitionBatch, RunningConsumer, runConsumer } from '@trial/messaging';
import { createDataSource, parkDeadLetter } from '@trial/storage';
import { decode } from '@trial/contracts';
import { z } from 'zod';
import { PlatformModule, startService } from '@trial/platform';
import { eventually, KAFKA_BROKERS, privateTopics, testConfig, testKafka, TEST_DATABASE_URL, uniqueId } from '../../support';
import { freePort } from '../../../apps/cli/src/supervisor';

const seen: string[] = [];

@Controller()
class Recorder {
  @EventPattern('enrollments')
  async on(batch: PartitionBatch<EnrollmentEvent>): Promise<void> {
    seen.push(...batch.messages.map((m) => m.value.eventId));
  }
}

function recorderModule(config: AppConfig) {
  @Module({ imports: [PlatformModule.forService('recorder', config)], controllers: [Recorder] })
  class RecorderModule {}
  return RecorderModule;
}

const ROOT = join(__dirname, '../../..');

/** Starts member.child.ts on `topic` in `group` and collects its lines. */
function member(topic: string, group: string): { child: ChildProcess; out: string[] } {
  const out: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/int/recovery/member.child.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, KAFKA_BROKERS, TOPIC: topic, GROUP: group, DATABASE_URL: TEST_DATABASE_URL },
  });
  child.stdout!.on('data', (d: Buffer) => out.push(...d.toString().split('\n').filter(Boolean)));
  return { child, out };
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

async function health(port: number): Promise<{ status: number; body: Record<string, Record<string, Record<string, unknown>>> } | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    return { status: res.status, body: await res.json() };
  } catch {
    return undefined; // not listening yet
  }
}

/**
 * A group member killed with SIGKILL sends no LeaveGroup: the group waits for its session to
 * expire before a replacement is given its partitions. The replacement service must answer
 * /health (not ready) at once, and consume within 15 s of the kill (it took 25-31 s with a
 * 30 s session and the port opened only after the join).
 */
describe('recovery from a kill -9 of a consumer (real Kafka and Postgres)', () => {
  let child: ChildProcess | null = null;
  let app: INestApplication | null = null;
  let survivor: RunningConsumer | null = null;
  const drops: Array<() => Promise<void>> = [];
  const cleanups: Array<() => Promise<void>> = [];

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await app?.close();
    await survivor?.disconnect();
    for (const c of cleanups) await c();
    for (const d of drops) await d();
  });

  it('serves /health at once and consumes again within 15 s', async () => {
    const kafka = testKafka();
    const t = await privateTopics(kafka, 'kill');
    drops.push(t.drop);
    const group = `${t.prefix}recorder`; // startService prefixes the group with TOPIC_PREFIX
    const seenAlive = (eventId: string) =>
      JSON.stringify({ v: 1, type: 'PatientSeenAlive', eventId, trialId: 'T', patientId: 'P', seenOn: '2008-01-01' });
    const producer = kafka.producer();
    await producer.connect();

    const m = member(t.topics.enrollments, group);
    child = m.child;
    const out = m.out;
    await eventually(async () => (out.includes('joined') ? true : undefined), 'the first member to join', 30_000);
    await producer.send({ topic: t.topics.enrollments, messages: [{ key: 'T:P', value: seenAlive('before-kill') }] });
    await eventually(async () => (out.includes('consumed before-kill') ? true : undefined), 'the first member to consume');

    await kill9(child);
    const killedAt = Date.now();

    const port = await freePort();
    const starting = startService(recorderModule(testConfig(t.prefix)), { service: 'recorder', port, consumer: 'recorder' });
    starting.then(
      (a) => {
        app = a;
      },
      () => undefined,
    );
    await producer.send({ topic: t.topics.enrollments, messages: [{ key: 'T:P', value: seenAlive('after-kill') }] });

    const first = await eventually(() => health(port), '/health to answer', 5_000);
    const answeredMs = Date.now() - killedAt;
    expect(first.status).toBe(503);
    expect(first.body.error.consumer).toMatchObject({ status: 'down', state: 'starting' });

    await eventually(async () => (seen.includes('after-kill') ? true : undefined), 'the replacement to consume', 40_000);
    const recoveredMs = Date.now() - killedAt;
    console.log(`kill -9: replacement answered /health after ${answeredMs} ms, consumed after ${recoveredMs} ms`);
    expect(recoveredMs).toBeLessThan(15_000);
    expect(seen).toEqual(['after-kill']);

    app = await starting;
    const ready = await eventually(async () => {
      const h = await health(port);
      return h?.status === 200 ? h : undefined;
    }, '/health ready');
    expect(ready.body.details.consumer).toMatchObject({ status: 'up', state: 'running' });
    await producer.disconnect();
  });

  it("with two members, the survivor takes over the killed one's partitions within 15 s", async () => {
    const kafka = testKafka();
    const t = await privateTopics(kafka, 'kill2');
    drops.push(t.drop);
    const group = uniqueId('kill2');
    const ds = await createDataSource(TEST_DATABASE_URL, { poolSize: 1 }).initialize();
    cleanups.push(() => ds.destroy());
    const producer = createProducer(kafka);
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const got: Array<{ partition: number; id: string }> = [];
    survivor = await runConsumer({
      kafka,
      producer,
      name: group,
      groupId: group,
      topics: [t.topics.enrollments],
      log: () => undefined,
      now: () => new Date().toISOString(),
      decode: (_t, raw) => decode(z.object({ eventId: z.string() }).passthrough(), raw),
      park: (l, at) => parkDeadLetter(ds, l, at),
      handle: async (batch) => {
        got.push(...batch.messages.map((x) => ({ partition: x.partition, id: x.value.eventId })));
      },
    });
    const m = member(t.topics.enrollments, group);
    child = m.child;
    await eventually(async () => (m.out.includes('joined') ? true : undefined), 'the second member to join', 30_000);
    // One message per partition (explicitly placed): the child must own at least one of them.
    const send = (label: string) =>
      producer.send({
        topic: t.topics.enrollments,
        messages: [0, 1, 2].map((partition) => ({ partition, key: `k${partition}`, value: JSON.stringify({ eventId: `${label}-${partition}` }) })),
      });
    await send('before');
    await eventually(
      async () =>
        got.filter((g) => g.id.startsWith('before')).length + m.out.filter((l) => l.startsWith('consumed before')).length === 3 ? true : undefined,
      'both members to consume',
    );
    const childOwned = m.out.filter((l) => l.startsWith('consumed before')).map((l) => Number(l.split('-').pop()));
    expect(childOwned.length).toBeGreaterThan(0);

    await kill9(child);
    const killedAt = Date.now();
    await send('after');
    await eventually(
      async () => (childOwned.every((p) => got.some((g) => g.id === `after-${p}`)) ? true : undefined),
      "the survivor to consume the dead member's partitions",
      40_000,
    );
    const recoveredMs = Date.now() - killedAt;
    console.log(`kill -9 of one of two members: the survivor consumed its partitions ${childOwned.join(',')} after ${recoveredMs} ms`);
    expect(recoveredMs).toBeLessThan(15_000);
    expect(
      got
        .filter((g) => g.id.startsWith('after'))
        .map((g) => g.id)
        .sort(),
    ).toEqual(['after-0', 'after-1', 'after-2']);
  });
});
