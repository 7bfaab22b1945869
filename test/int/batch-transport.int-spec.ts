import { Controller, INestApplication, Module } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { AppConfig } from '@trial/config';
import { EnrollmentEvent } from '@trial/contracts';
import { PartitionBatch, PermanentError } from '@trial/messaging';
import { PlatformModule } from '@trial/platform';
import { eventually, privateTopics, readAll, startInProcess, testConfig, testKafka, uniqueId } from '../support';

const seen: string[] = [];
/** While true, a batch holding `disk-full` fails as Postgres does when its disk is full. */
let diskFull = false;

@Controller()
class Recorder {
  @EventPattern('enrollments')
  async on(batch: PartitionBatch<EnrollmentEvent>): Promise<void> {
    if (batch.messages.some((m) => m.value.eventId === 'poison')) throw new PermanentError('refused', 'this event is refused on purpose');
    if (diskFull && batch.messages.some((m) => m.value.eventId === 'disk-full')) {
      throw Object.assign(new Error('could not extend file: No space left on device'), { code: '53100', severity: 'ERROR' });
    }
    seen.push(...batch.messages.map((m) => m.value.eventId));
  }
}

function recorderModule(config: AppConfig) {
  @Module({ imports: [PlatformModule.forService('recorder', config)], controllers: [Recorder] })
  class RecorderModule {}
  return RecorderModule;
}

/**
 * Through Nest's microservice layer (KafkaBatchServer): a handler's coded error reaches the
 * DLQ with its code and reason (Nest would otherwise replace it with a generic object), and
 * the other messages of the batch are applied. An environmental failure is not dead-lettered:
 * it holds the consumer, and /health says so.
 */
describe('KafkaBatchServer through Nest (real Kafka)', () => {
  it('sends a handler-refused message to the DLQ with its code and reason', async () => {
    const kafka = testKafka();
    const { prefix, topics, drop } = await privateTopics(kafka, 'transport');
    let app: INestApplication | null = null;
    try {
      app = (await startInProcess(recorderModule, testConfig(prefix), uniqueId('recorder'))).app;
      const seenAlive = (eventId: string) =>
        JSON.stringify({ v: 1, type: 'PatientSeenAlive', eventId, trialId: 'T', patientId: 'P', seenOn: '2008-01-01' });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: topics.enrollments, messages: ['ok-1', 'poison', 'ok-2'].map((id) => ({ key: 'T:P', value: seenAlive(id) })) });
      await producer.disconnect();
      await eventually(async () => (seen.includes('ok-1') && seen.includes('ok-2') ? true : undefined), 'both good messages');
      const dead = await readAll(kafka, `${topics.enrollments}.dlq`, 1);
      expect(dead.map((d) => d.value)).toEqual([expect.objectContaining({ code: 'refused', reason: 'this event is refused on purpose' })]);
      expect(seen.filter((s) => s === 'poison')).toEqual([]);
    } finally {
      await app?.close();
      await drop();
    }
  });

  it('is not ready (503, with the reason) while a full disk holds the consumer, then applies the message once', async () => {
    const kafka = testKafka();
    const { prefix, topics, drop } = await privateTopics(kafka, 'transport-health');
    let app: INestApplication | null = null;
    try {
      const started = await startInProcess(recorderModule, testConfig(prefix), uniqueId('recorder'));
      app = started.app;
      const health = async () => {
        const r = await fetch(`${started.url}/health`);
        return { status: r.status, body: await r.json() };
      };
      expect((await health()).status).toBe(200);
      diskFull = true;
      const seenAlive = (eventId: string) =>
        JSON.stringify({ v: 1, type: 'PatientSeenAlive', eventId, trialId: 'T', patientId: 'P', seenOn: '2008-01-01' });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: topics.enrollments, messages: ['disk-full', 'after'].map((id) => ({ key: 'T:P', value: seenAlive(id) })) });
      const down = await eventually(async () => {
        const h = await health();
        return h.status === 503 ? h : undefined;
      }, '/health to say not ready');
      expect(down.body.error.consumer).toMatchObject({
        status: 'down',
        state: 'retrying',
        reason: 'retrying an environmental failure: postgres 53100 (disk full)',
      });
      expect(JSON.stringify(down.body)).not.toContain('No space left');
      expect(seen).not.toContain('disk-full');
      diskFull = false;
      await eventually(async () => (seen.includes('after') ? true : undefined), 'the messages once the disk has room');
      expect(seen.filter((s) => s === 'disk-full' || s === 'after')).toEqual(['disk-full', 'after']);
      await eventually(async () => ((await health()).status === 200 ? true : undefined), '/health ready again');
      await producer.send({ topic: topics.enrollments, messages: [{ key: 'T:P', value: 'not json' }] });
      await producer.disconnect();
      const dead = await readAll(kafka, `${topics.enrollments}.dlq`, 1);
      expect(dead.map((d) => (d.value as { code: string }).code)).toEqual(['invalid-json']); // only the marker
    } finally {
      await app?.close();
      await drop();
    }
  });
});
