/**
 * A consumer group member in its own process, for the kill -9 suite: runConsumer with the
 * production timing, on TOPIC in GROUP. Prints `joined` once in the group and `consumed <id>`
 * for each message, so the parent knows when to kill it (SIGKILL: no LeaveGroup is sent).
 */
import { decode } from '@trial/contracts';
import { createKafka, createProducer, runConsumer } from '@trial/messaging';
import { createDataSource, parkDeadLetter } from '@trial/storage';
import { z } from 'zod';

async function main(): Promise<void> {
  const { KAFKA_BROKERS, TOPIC, GROUP, DATABASE_URL } = process.env as Record<string, string>;
  const kafka = createKafka(KAFKA_BROKERS, 'kill-member', () => undefined);
  const ds = await createDataSource(DATABASE_URL, { poolSize: 1 }).initialize();
  const producer = createProducer(kafka);
  await producer.connect();
  await runConsumer({
    kafka,
    producer,
    name: GROUP,
    groupId: GROUP,
    topics: [TOPIC],
    log: () => undefined,
    now: () => new Date().toISOString(),
    decode: (_t, raw) => decode(z.object({ eventId: z.string() }).passthrough(), raw),
    park: (l, at) => parkDeadLetter(ds, l, at),
    handle: async (batch) => {
      for (const m of batch.messages) process.stdout.write(`consumed ${m.value.eventId}\n`);
    },
  });
  process.stdout.write('joined\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`member failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
