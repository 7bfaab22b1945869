import { z } from 'zod';
import { decode } from '@trial/contracts';
import { createProducer } from './kafka';
import { runConsumer, PartitionBatch } from './consumer';
import { PermanentError } from './errors';
import { eventually, privateTopics, readAll, testKafka } from '../../../test/support';

/**
 * A handler that fails on one message: the batch is retried one message at a time, only the
 * poison message goes to the DLQ with the handler's reason, and the rest are applied once.
 * A transient failure is retried until it succeeds, with nothing sent to the DLQ.
 */
describe('runConsumer (real Kafka)', () => {
  const kafka = testKafka();
  const schema = z.object({ n: z.number() });

  it('isolates a poison message and retries transient failures', async () => {
    const { topics, drop } = await privateTopics(kafka, 'runconsumer');
    const producer = createProducer(kafka);
    await producer.connect();
    const applied: number[] = [];
    let transientLeft = 2;
    const consumer = await runConsumer({
      kafka, producer, name: `rc-${Date.now()}`, topics: [topics.enrollments],
      decode: (_t, raw) => decode(schema, raw), log: () => undefined, now: () => new Date().toISOString(),
      handle: async (batch: PartitionBatch<{ n: number }>) => {
        if (batch.messages.some((m) => m.value.n === 3)) throw new PermanentError('bad-number', 'n = 3 is not allowed');
        if (batch.messages.some((m) => m.value.n === 5) && transientLeft-- > 0) {
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        }
        applied.push(...batch.messages.map((m) => m.value.n));
      },
    });
    try {
      await producer.send({ topic: topics.enrollments, messages: [1, 2, 3, 4, 5].map((n) => ({ key: 'same', value: JSON.stringify({ n }) })) });
      await eventually(async () => (applied.length === 4 ? true : undefined), 'four messages applied');
      expect(applied.sort()).toEqual([1, 2, 4, 5]);
      const dead = await readAll(kafka, `${topics.enrollments}.dlq`, 1);
      expect(dead).toHaveLength(1);
      expect(dead[0].value).toMatchObject({ code: 'bad-number', reason: 'n = 3 is not allowed', original: '{"n":3}' });
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await drop();
    }
  });
});
