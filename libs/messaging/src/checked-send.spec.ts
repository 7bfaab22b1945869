import { Kafka, Producer, RecordMetadata } from 'kafkajs';
import { withCheckedAcks } from './checked-send';

/**
 * withCheckedAcks looks up a topic's partition count before placing messages. While a broker
 * dies or comes back the broker asked may not host the topic yet (a retriable
 * UNKNOWN_TOPIC_OR_PARTITION): the look-up is asked again instead of failing the send, which
 * the three-broker int test met as a failed send. A failure that is not retriable still fails.
 */
function fakes(failures: Array<{ retriable: boolean }>) {
  let asked = 0;
  const kafka = {
    admin: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      fetchTopicMetadata: async () => {
        const f = failures[asked++];
        if (f) throw Object.assign(new Error('This server does not host this topic-partition'), f);
        return { topics: [{ name: 't', partitions: [{}, {}, {}] }] };
      },
    }),
  } as unknown as Kafka;
  const sent: number[] = [];
  const producer = {
    sendBatch: async (b: { topicMessages: Array<{ topic: string; messages: Array<{ partition: number }> }> }): Promise<RecordMetadata[]> => {
      const parts = [...new Set(b.topicMessages.flatMap((t) => t.messages.map((m) => m.partition)))];
      sent.push(...parts);
      return parts.map((partition) => ({ topicName: 't', partition, errorCode: 0 }));
    },
  } as unknown as Producer;
  return { kafka, producer, sent, asked: () => asked };
}
const partitioner = () => () => 1;

describe('withCheckedAcks partition look-up', () => {
  it('asks again after a retriable metadata error, then sends', async () => {
    const f = fakes([{ retriable: true }, { retriable: true }]);
    const acks = await withCheckedAcks(f.kafka, f.producer, partitioner).send({ topic: 't', messages: [{ value: 'x' }] });
    expect(acks).toEqual([{ topicName: 't', partition: 1, errorCode: 0 }]);
    expect(f.asked()).toBe(3);
  });
  it('fails the send on an error that is not retriable, without asking again', async () => {
    const f = fakes([{ retriable: false }]);
    await expect(withCheckedAcks(f.kafka, f.producer, partitioner).send({ topic: 't', messages: [{ value: 'x' }] })).rejects.toThrow(/does not host/);
    expect(f.asked()).toBe(1);
    expect(f.sent).toEqual([]);
  });
});
