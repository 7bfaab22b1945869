import { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { TopicNames } from '@trial/contracts';

/** The consumers whose checkpoints say what has been applied, and the topics each reads. */
const READERS: ReadonlyArray<{ consumer: string; topics: ReadonlyArray<keyof TopicNames> }> = [
  { consumer: 'linkage', topics: ['enrollments', 'notifications', 'reviews'] },
  { consumer: 'projector', topics: ['enrollments', 'outcomes'] },
];

/**
 * Linkage re-estimates λ on a 2 s timer and may re-decide records then, with no new input, so a
 * rest must outlast the next tick after the last input (at most 2 s later) and that refresh's own
 * commit (milliseconds at the demo's size): 2 s and a second's margin. A refresh slower than its
 * period (a tick skipped) is not covered.
 */
const SETTLE_MS = 3_000;
const POLL_MS = 200;

/**
 * Waits until the pipeline has applied everything published so far, so that what the demo
 * prints and the looks it takes do not depend on how fast this machine is: every partition of
 * every topic linkage and the projector read has its consumer's checkpoint (consumer_checkpoints,
 * moved in the transaction of the batch's effects) at its last offset, and no outcome event
 * waits in the outbox; and that holds, with the same topic ends, over SETTLE_MS. Gives up after
 * `timeoutMs` and says so (false): the caller then goes on with the pipeline as it is.
 */
export async function awaitIdle(kafka: Kafka, topics: TopicNames, databaseUrl: string, timeoutMs = 60_000): Promise<boolean> {
  const admin = kafka.admin();
  const db = new Client({ connectionString: databaseUrl });
  try {
    await admin.connect();
    await db.connect();
    const deadline = Date.now() + timeoutMs;
    let restingSince: { at: number; ends: string } | null = null;
    while (Date.now() < deadline) {
      // A broker or database that does not answer (a leader moving, say) is not at rest either.
      const state = await restState(admin, db, topics).catch(() => null);
      if (state === null) restingSince = null;
      else if (restingSince === null || restingSince.ends !== state) restingSince = { at: Date.now(), ends: state };
      else if (Date.now() - restingSince.at >= SETTLE_MS) return true;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return false;
  } catch {
    return false; // no broker or database to ask: go on as it is
  } finally {
    await db.end().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

/** The topics' ends as one string when everything is applied and the outbox is empty; null otherwise. */
async function restState(admin: ReturnType<Kafka['admin']>, db: Client, topics: TopicNames): Promise<string | null> {
  const { rows: unsent } = await db.query<{ n: string }>('select count(*)::text as n from outbox where sent_at is null');
  if (unsent[0].n !== '0') return null;
  const { rows } = await db.query<{ consumer: string; topic: string; partition: number; offset: string }>(
    `select consumer, topic, partition, "offset"::text as "offset" from consumer_checkpoints where consumer = any($1)`,
    [READERS.map((r) => r.consumer)],
  );
  const applied = new Map(rows.map((r) => [`${r.consumer} ${r.topic} ${r.partition}`, BigInt(r.offset)]));
  const ends: string[] = [];
  const endsOf = new Map<string, Array<{ partition: number; high: string; low: string }>>();
  for (const { consumer, topics: read } of READERS)
    for (const logical of read) {
      const topic = topics[logical];
      let offsets = endsOf.get(topic);
      if (!offsets) endsOf.set(topic, (offsets = await admin.fetchTopicOffsets(topic)));
      for (const { partition, high, low } of offsets) {
        ends.push(`${topic}:${partition}:${high}`);
        if (high === low) continue; // nothing there to apply
        const at = applied.get(`${consumer} ${topic} ${partition}`);
        if (at === undefined || at < BigInt(high) - 1n) return null;
      }
    }
  return ends.join(',');
}
