import { Controller, INestApplication, Module } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { AppConfig } from '@trial/config';
import { EnrollmentEvent } from '@trial/contracts';
import { PartitionBatch, PermanentError } from '@trial/messaging';
import { PlatformModule } from '@trial/platform';
import { eventually, privateTopics, readAll, startInProcess, testConfig, testKafka, uniqueId } from '../support';

const seen: string[] = [];

@Controller()
class Recorder {
  @EventPattern('enrollments')
  async on(batch: PartitionBatch<EnrollmentEvent>): Promise<void> {
    if (batch.messages.some((m) => m.value.eventId === 'poison')) throw new PermanentError('refused', 'this event is refused on purpose');
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
 * the other messages of the batch are applied.
 */
describe('KafkaBatchServer through Nest (real Kafka)', () => {
  it('sends a handler-refused message to the DLQ with its code and reason', async () => {
    const kafka = testKafka();
    const { prefix, topics, drop } = await privateTopics(kafka, 'transport');
    let app: INestApplication | null = null;
    try {
      app = (await startInProcess(recorderModule, testConfig(prefix), uniqueId('recorder'))).app;
      const seenAlive = (eventId: string) => JSON.stringify({ v: 1, type: 'PatientSeenAlive', eventId, trialId: 'T', patientId: 'P', seenOn: '2008-01-01' });
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
});
