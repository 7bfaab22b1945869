// `tsx bench/chaos/lost-send.ts`: reproduces, on a private three-broker cluster, the loss the
// chaos suite's three-broker scenario found. A producer made by @trial/messaging's
// createProducer (idempotent, acks=all) sends a batch spanning every partition after a broker
// has died and come back (a follower now; the producer's metadata still names it leader of its
// old partitions); the send resolves, yet the messages for the partitions that moved off the dead
// broker are not in the log. Cause (kafkajs 2.2.4, src/producer/sendMessages.js): the map of
// per-broker responses is shared across retries, and a retry only sends to brokers without a
// response, so partitions whose new leader already answered in the first attempt are dropped
// (kafkajs issue #1303, PR #1798). Exits 1 when messages are lost.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createKafka, createProducer, ensureTopics, publish } from '@trial/messaging';
import { sleep } from './faults';
import { startPrivateInfra } from './infra';
import { topicCensus } from './chaos';

async function main(): Promise<void> {
  const log = (l: string) => process.stdout.write(`[lost-send] ${l}\n`);
  const infra = await startPrivateInfra({ dir: join(tmpdir(), 'trial-followup-lost-send'), brokers: 3, log });
  try {
    const kafka = createKafka(infra.brokers, 'lost-send', () => undefined);
    const topic = `lost-send-${randomBytes(3).toString('hex')}`;
    // A fresh cluster may not know the new topic's leaders yet: ask again.
    for (let i = 0; ; i++) {
      try {
        await ensureTopics(kafka, [{ topic, numPartitions: 6, retentionMs: -1 }]);
        break;
      } catch (e) {
        if (i > 20) throw e;
        await sleep(500);
      }
    }
    const producer = createProducer(kafka);
    await producer.connect();
    const batch = (tag: string) => Array.from({ length: 60 }, (_, i) => ({ key: `${tag}-${i}`, value: { tag, i } }));
    await publish(producer, topic, batch('before'));
    log('60 messages sent over 6 partitions; kill -9 broker 2, wait 12 s for its partitions to get new leaders, start it again');
    await infra.killBroker(2);
    await sleep(12_000);
    await infra.startBrokers();
    const acks = await publish(producer, topic, batch('after'));
    log(`second send of 60 resolved: ${acks.map((a) => `partition ${a.partition} base offset ${a.baseOffset}`).join(', ')}`);
    await producer.disconnect();
    const { total } = await topicCensus(kafka, topic);
    log(`${total} of 120 acknowledged messages are in the log`);
    process.exitCode = total === 120 ? 0 : 1;
  } finally {
    await infra.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`lost-send: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(2);
});
