import { Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { storedRows } from '@trial/contracts';
import { StoredDeadLetter } from '@trial/messaging';
import { closeLetter } from './dlq-closed';

export interface RedriveResult {
  /** Sent back to their original topic now. */
  redriven: string[];
  /** Their original was re-driven before (dlq_redrives has it, maybe by another consumer's letter): not sent again. */
  already: string[];
  /** Records that do not parse, so there is no original to send. */
  unreadable: string[];
  /** Discarded by an operator (followup dlq discard): closed without a re-drive, so not sent. */
  discarded: string[];
}

/**
 * Sends dead letters back to their original topic, with their original key and bytes (from the
 * record, or from dead_letter_park when it was too large), once the cause is fixed.
 *
 * Exactly once, in two layers. The ledger: each original is claimed in dlq_redrives and sent in
 * the claim's transaction, so a second re-drive finds the claim and sends nothing;
 * a send that fails rolls the claim back, and the letter can be re-driven again. The consumers:
 * a crash after the send and before the commit leaves the letter unclaimed, and re-driving it
 * again puts it on the topic twice; each consumer then applies it once all the same (the
 * projector by event id; the linkage service by content: a randomisation by its hash, a
 * registry record by its version, a withdrawal or correction by the state it sets). Every
 * consumer of the topic sees the re-driven message, not only the one that refused it, which
 * is safe for the same reason.
 *
 * Each letter is closed too (dlq_closed, outcome `redriven`), also one whose original another
 * letter re-drove (`already`), so it no longer counts as open; a discarded letter is not sent.
 */
export async function redrive(
  ds: DataSource,
  producer: Producer,
  letters: readonly StoredDeadLetter[],
  by: string,
  at: string,
): Promise<RedriveResult> {
  const out: RedriveResult = { redriven: [], already: [], unreadable: [], discarded: [] };
  for (const l of letters) {
    const r = l.record;
    if (r.code === 'unreadable-record') {
      out.unreadable.push(l.id);
      continue;
    }
    await ds.transaction(async (tx) => {
      // The letter closed first: its row serialises this against a discard of the same letter.
      // A letter closed as re-driven before goes on to the claim, which answers `already`.
      if (!(await closeLetter(tx, l, 'redriven', by, at))) {
        const [c] = (await tx.query('select outcome from dlq_closed where dlq_topic = $1 and dlq_partition = $2 and dlq_offset = $3', [
          l.dlqTopic,
          l.partition,
          l.offset,
        ])) as Array<{ outcome: string }>;
        if (c?.outcome === 'discarded') {
          out.discarded.push(l.id);
          return;
        }
      }
      const claimed = (await tx.query(
        `insert into dlq_redrives (dlq_topic, dlq_partition, dlq_offset, source_topic, source_partition, source_offset, code,
           redriven_by, redriven_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict do nothing returning dlq_topic`,
        [l.dlqTopic, l.partition, l.offset, r.source.topic, r.source.partition, r.source.offset, r.code, by, at],
      )) as unknown[];
      if (!claimed.length) {
        out.already.push(l.id);
        return;
      }
      await producer.send({
        topic: r.source.topic,
        acks: -1,
        messages: [{ key: r.source.key, value: await original(tx, l), headers: { 'redriven-from': l.id } }],
      });
      out.redriven.push(l.id);
    });
  }
  return out;
}

const parkedRow = z.object({ original: z.instanceof(Buffer) });
const PARK = { table: 'dead_letter_park', column: 'original' };

/** The original bytes: in the record (base64), parked, or none (the message had no value). */
async function original(tx: { query(sql: string, params?: unknown[]): Promise<unknown> }, l: StoredDeadLetter): Promise<Buffer | null> {
  const r = l.record;
  if (r.originalBase64 !== null) return Buffer.from(r.originalBase64, 'base64');
  if (r.parkedId === null) return null;
  const rows = storedRows(parkedRow, await tx.query('select original from dead_letter_park where id = $1', [r.parkedId]), PARK);
  if (!rows.length) throw new Error(`dead letter ${l.id}: parked original ${r.parkedId} is not in dead_letter_park`);
  return rows[0].original;
}

const redriveRow = z.object({ origin: z.string(), letter: z.string(), redriven_by: z.string(), redriven_at: z.date() });

/** Originals re-driven before, by `<topic>:<partition>:<offset>`, with who, when and which letter. */
export async function redriven(ds: DataSource): Promise<Map<string, { by: string; at: string; letter: string }>> {
  const rows = storedRows(
    redriveRow,
    await ds.query(`select source_topic || ':' || source_partition || ':' || source_offset as origin,
    dlq_topic || ':' || dlq_partition || ':' || dlq_offset as letter, redriven_by, redriven_at from dlq_redrives`),
    { table: 'dlq_redrives' },
  );
  return new Map(rows.map((r) => [r.origin, { by: r.redriven_by, at: r.redriven_at.toISOString(), letter: r.letter }]));
}
