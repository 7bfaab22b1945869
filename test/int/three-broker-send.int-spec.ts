import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Producer } from 'kafkajs';
import { createKafka, createProducer, ensureTopics, publish } from '@trial/messaging';
import { createIngestProducer } from '../../libs/ingest/src/publisher';
import { PrivateInfra, startPrivateInfra } from '../../bench/chaos/infra';
import { topicCensus } from '../../bench/chaos/chaos';

/**
 * On a private three-broker cluster (scripts/infra.sh KAFKA_BROKERS=3): producers connected
 * before a broker dies and comes back (a follower now, while their metadata still names it
 * leader of its old partitions) send a batch spanning every partition. kafkajs 2.2.4 resolved
 * such a send without writing the partitions that had moved to a broker that already answered
 * (24 of 120 messages lost in bench/chaos/lost-send.ts); both of our producers must lose none.
 * Needs root (Postgres is started as the postgres user) and takes about a minute.
 */
describe('producers on a three-broker cluster', () => {
  let infra: PrivateInfra;
  beforeAll(async () => {
    infra = await startPrivateInfra({
      dir: join(tmpdir(), `trial-followup-three-send-${randomBytes(3).toString('hex')}`),
      brokers: 3,
      kafkaHeap: '256m',
    });
  }, 240_000);
  afterAll(async () => {
    await infra?.stop();
  }, 60_000);

  it('lose no acknowledged message when a broker dies and comes back', async () => {
    const kafka = createKafka(infra.brokers, 'three-send', () => undefined);
    const made: Array<[string, Producer]> = [
      ['createProducer', createProducer(kafka)],
      ['createIngestProducer', createIngestProducer(kafka)],
    ];
    const topics = made.map(([name]) => `three-send-${name}`);
    for (let i = 0; ; i++) {
      try {
        await ensureTopics(
          kafka,
          topics.map((topic) => ({ topic, numPartitions: 6, retentionMs: -1 })),
        );
        break;
      } catch (e) {
        if (i > 30) throw e;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    const batch = (tag: string) => Array.from({ length: 60 }, (_, i) => ({ key: `${tag}-${i}`, value: { tag, i } }));
    for (const [, p] of made) await p.connect();
    for (const [i, [, p]] of made.entries()) await publish(p, topics[i], batch('before'));
    await infra.killBroker(2);
    await new Promise((r) => setTimeout(r, 12_000));
    await infra.startBrokers();
    for (const [i, [, p]] of made.entries()) await publish(p, topics[i], batch('after'));
    for (const [, p] of made) await p.disconnect();
    const counts: number[] = [];
    for (const t of topics) counts.push((await topicCensus(kafka, t)).total);
    expect(Object.fromEntries(made.map(([name], i) => [name, counts[i]]))).toEqual({ createProducer: 120, createIngestProducer: 120 });
  }, 240_000);
});
