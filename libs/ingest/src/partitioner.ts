import { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

/**
 * Java's murmur2 (org.apache.kafka.common.utils.Utils.murmur2) of a key's UTF-8 bytes: the hash
 * kafkajs's DefaultPartitioner uses. kafkajs computes it with BigInt-backed 64-bit longs, about
 * 4 µs a key (a tenth of the CPU of publishing an extract); the hash is defined on 32-bit ints,
 * so Math.imul gives the same value at a fraction of the cost (partitioner.spec.ts checks it
 * against kafkajs on arbitrary keys and against Kafka's own test vectors).
 */
export function murmur2(key: string | Buffer): number {
  if (typeof key !== 'string') return hash(key, key.length);
  // Keys are `source:recordId`, nearly always ASCII: their char codes are their UTF-8 bytes, so
  // they are copied into a scratch array rather than a Buffer allocated a key.
  if (key.length <= scratch.length) {
    let i = 0;
    for (; i < key.length; i++) {
      const c = key.charCodeAt(i);
      if (c > 0x7f) break;
      scratch[i] = c;
    }
    if (i === key.length) return hash(scratch, key.length);
  }
  const bytes = Buffer.from(key, 'utf8');
  return hash(bytes, bytes.length);
}

const scratch = new Uint8Array(256);

function hash(data: Uint8Array, length: number): number {
  const m = 0x5bd1e995;
  let h = 0x9747b28c ^ length;
  const length4 = length & ~3;
  for (let i = 0; i < length4; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= data[length4 + 2] << 16;
  if (rest >= 2) h ^= data[length4 + 1] << 8;
  if (rest >= 1) h = Math.imul(h ^ data[length4], m);
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * kafkajs's DefaultPartitioner (explicit partition, else murmur2 of the key modulo the topic's
 * partition count, else round robin over available partitions), with the fast murmur2: keyed
 * messages land on exactly the partitions every other producer of these topics picks.
 */
export const JavaCompatiblePartitioner: ICustomPartitioner = () => {
  let counter = Math.floor(Math.random() * 2 ** 31);
  return ({ partitionMetadata, message }: PartitionerArgs): number => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    if (message.key !== null && message.key !== undefined) return (murmur2(message.key) & 0x7fffffff) % partitionMetadata.length;
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    counter = (counter + 1) & 0x7fffffff;
    return available.length > 0 ? available[counter % available.length].partitionId : counter % partitionMetadata.length;
  };
};
