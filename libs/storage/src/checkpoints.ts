import { DataSource, EntityManager } from 'typeorm';

export interface Positioned {
  offset: string;
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
  return ds.transaction(async (tx) => {
    await tx.query(
      `insert into consumer_checkpoints (consumer, topic, partition, "offset") values ($1, $2, $3, -1)
       on conflict do nothing`, [consumer, topic, partition]);
    const [row] = (await tx.query(
      `select "offset" from consumer_checkpoints where consumer = $1 and topic = $2 and partition = $3 for update`,
      [consumer, topic, partition])) as Array<{ offset: string }>;
    const done = BigInt(row.offset);
    const fresh = messages.filter((m) => BigInt(m.offset) > done);
    const result = await effect(tx, fresh);
    if (BigInt(lastOffset) > done) {
      await tx.query(
        `update consumer_checkpoints set "offset" = $4, updated_at = now()
         where consumer = $1 and topic = $2 and partition = $3`, [consumer, topic, partition, lastOffset]);
    }
    return result;
  });
}
