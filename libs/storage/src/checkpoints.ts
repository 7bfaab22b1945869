import { DataSource, EntityManager } from 'typeorm';

export interface Positioned {
  offset: string;
}

/** One partition's messages and the offset its checkpoint moves to. */
export interface PartitionPart<M extends Positioned> {
  topic: string;
  partition: number;
  messages: M[];
  lastOffset: string;
}

/**
 * Applies a partition's messages and advances the consumer's checkpoint in ONE transaction.
 * Messages at or below the stored checkpoint were applied before (a redelivery after a crash
 * or rebalance) and are skipped, so the effect happens exactly once.
 */
export async function applyWithCheckpoint<M extends Positioned, R>(
  ds: DataSource,
  consumer: string,
  topic: string,
  partition: number,
  messages: M[],
  lastOffset: string,
  effect: (tx: EntityManager, fresh: M[]) => Promise<R>,
): Promise<R> {
  return applyWithCheckpoints(ds, consumer, [{ topic, partition, messages, lastOffset }], (tx, [fresh]) => effect(tx, fresh));
}

/**
 * As applyWithCheckpoint for several partitions (distinct) in ONE transaction: every
 * checkpoint is locked and read in one statement, in (topic, partition) order so two such
 * transactions never deadlock, and all of them move in one statement before the commit.
 * `effect` gets each part's fresh messages, in the order of `parts`.
 */
export async function applyWithCheckpoints<M extends Positioned, R>(
  ds: DataSource,
  consumer: string,
  parts: ReadonlyArray<PartitionPart<M>>,
  effect: (tx: EntityManager, fresh: M[][]) => Promise<R>,
): Promise<R> {
  return ds.transaction(async (tx) => {
    // ON CONFLICT DO UPDATE locks the existing row and returns its latest committed offset (not
    // the statement's snapshot), as `select ... for update` after an insert did in two round trips.
    const held = (await tx.query(
      `insert into consumer_checkpoints (consumer, topic, partition, "offset")
       select $1, x.t, x.p, -1 from unnest($2::text[], $3::int[]) as x(t, p) order by x.t, x.p
       on conflict (consumer, topic, partition) do update set "offset" = consumer_checkpoints."offset"
       returning topic, partition, "offset"`,
      [consumer, parts.map((p) => p.topic), parts.map((p) => p.partition)],
    )) as Array<{ topic: string; partition: number; offset: string }>;
    const done = new Map(held.map((h) => [`${h.topic}:${h.partition}`, BigInt(h.offset)]));
    const doneOf = (p: PartitionPart<M>) => done.get(`${p.topic}:${p.partition}`) ?? -1n;
    const result = await effect(
      tx,
      parts.map((p) => p.messages.filter((m) => BigInt(m.offset) > doneOf(p))),
    );
    const moved = parts.filter((p) => BigInt(p.lastOffset) > doneOf(p));
    if (moved.length) {
      await tx.query(
        `update consumer_checkpoints c set "offset" = x.o, updated_at = now()
         from unnest($2::text[], $3::int[], $4::bigint[]) as x(t, p, o)
         where c.consumer = $1 and c.topic = x.t and c.partition = x.p`,
        [consumer, moved.map((p) => p.topic), moved.map((p) => p.partition), moved.map((p) => p.lastOffset)],
      );
    }
    return result;
  });
}
