import fc from 'fast-check';
import { Partitioners, PartitionMetadata } from 'kafkajs';
import { JavaCompatiblePartitioner, murmur2 } from './partitioner';

// kafkajs's own (BigInt) murmur2: the reference the fast one must equal bit for bit.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (key: string | Buffer) => number;

const partitions = (n: number): PartitionMetadata[] =>
  Array.from({ length: n }, (_, i) => ({ partitionId: i, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));

describe('murmur2 and JavaCompatiblePartitioner', () => {
  it('hash as kafkajs does, for ASCII, non-ASCII, long and binary keys', () => {
    // Known values of Java's Utils.murmur2 (Kafka's own test vectors).
    expect(murmur2('21')).toBe(-973932308);
    expect(murmur2('foobar')).toBe(-790332482);
    expect(murmur2('a-little-bit-long-string')).toBe(-985981536);
    expect(murmur2('a-little-bit-longer-string')).toBe(-1486304829);
    expect(murmur2('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')).toBe(-58897971);
    expect(murmur2('abc')).toBe(479470107);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (k) => murmur2(k) === kafkajsMurmur2(k)),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => murmur2(Buffer.from(b)) === kafkajsMurmur2(Buffer.from(b))),
      { numRuns: 2000 },
    );
  });

  it('picks the partition kafkajs DefaultPartitioner picks for a key, and honours an explicit partition', () => {
    const ours = JavaCompatiblePartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.integer({ min: 1, max: 64 }), (key, n) => {
        const args = { topic: 't', partitionMetadata: partitions(n), message: { key: `ONS:${key}`, value: '{}' } };
        return ours(args) === theirs(args);
      }),
      { numRuns: 3000 },
    );
    expect(ours({ topic: 't', partitionMetadata: partitions(6), message: { key: 'ONS:x', value: '', partition: 4 } })).toBe(4);
    const unkeyed = ours({ topic: 't', partitionMetadata: partitions(6), message: { value: '' } });
    expect(unkeyed).toBeGreaterThanOrEqual(0);
    expect(unkeyed).toBeLessThan(6);
  });
});
