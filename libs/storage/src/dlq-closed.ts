import { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import { storedRows } from '@trial/contracts';
import { StoredDeadLetter } from '@trial/messaging';
import { auditBody } from './audit-chain';

/** How a letter was closed (dlq_closed): its original re-driven, or discarded by an operator. */
export interface Closed {
  outcome: 'redriven' | 'discarded';
  by: string;
  at: string;
}

export interface DiscardResult {
  /** Closed now, without being re-driven. */
  discarded: string[];
  /** Closed before (re-driven or discarded): left as they were. */
  already: string[];
}

/** Who discards: an operator, by name (the CLI's --by) or by token (the API's sub and role). */
export interface Operator {
  sub: string;
  role: string;
}

/** The note kept with a discard: why it must not be re-driven. Short; the audit row never holds it (it is free text). */
export const MAX_NOTE = 500;

type Sql = Pick<EntityManager, 'query'>;

/** Closes `l` in a caller's transaction; false when it was closed before (the first close stands). */
export async function closeLetter(
  tx: Sql,
  l: StoredDeadLetter,
  outcome: Closed['outcome'],
  by: string,
  at: string,
  note: string | null = null,
): Promise<boolean> {
  const r = l.record;
  const rows = (await tx.query(
    `insert into dlq_closed (dlq_topic, dlq_partition, dlq_offset, source_topic, source_partition, source_offset, code,
       outcome, closed_by, closed_at, note)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) on conflict do nothing returning dlq_topic`,
    [l.dlqTopic, l.partition, l.offset, r.source.topic, r.source.partition, r.source.offset, r.code, outcome, by, at, note],
  )) as unknown[];
  return rows.length > 0;
}

/**
 * Closes letters that should not be re-driven (a test message, a duplicate, an error already
 * corrected at its source): each gets a dlq_closed row and one audit row (view `dlq-discard`,
 * with the letter, its topic and code; not the note, which is free text), in one transaction,
 * so a discard is never unaudited. A discarded letter stays on its DLQ until retention removes
 * it, but no longer counts as open, and a re-drive refuses it.
 */
export async function discard(ds: DataSource, letters: readonly StoredDeadLetter[], who: Operator, note: string, at: string): Promise<DiscardResult> {
  const text = note.trim();
  if (!text || text.length > MAX_NOTE) throw new RangeError(`a discard needs a note of 1 to ${MAX_NOTE} characters`);
  const out: DiscardResult = { discarded: [], already: [] };
  for (const l of letters) {
    await ds.transaction(async (tx) => {
      if (!(await closeLetter(tx, l, 'discarded', who.sub, at, text))) {
        out.already.push(l.id);
        return;
      }
      const query = { letter: l.id, topic: l.record.source.topic, code: l.record.code };
      const body = auditBody({ at, sub: who.sub, role: who.role, trialId: null, view: 'dlq-discard', query });
      await tx.query('select audit_append($1, $2, $3, $4, $5, $6, $7)', [at, who.sub, who.role, null, 'dlq-discard', JSON.stringify(query), body]);
      out.discarded.push(l.id);
    });
  }
  return out;
}

const closedRow = z.object({ id: z.string(), outcome: z.enum(['redriven', 'discarded']), closed_by: z.string(), closed_at: z.date() });

/** Every closed letter, by its id (`<dlq topic>:<partition>:<offset>`). */
export async function closedLetters(ds: DataSource | Sql): Promise<Map<string, Closed>> {
  const rows = storedRows(
    closedRow,
    await ds.query(`select dlq_topic || ':' || dlq_partition || ':' || dlq_offset as id, outcome, closed_by, closed_at from dlq_closed`),
    { table: 'dlq_closed' },
  );
  return new Map(rows.map((r) => [r.id, { outcome: r.outcome, by: r.closed_by, at: r.closed_at.toISOString() }]));
}

/** One DLQ partition's extent: the offsets from low (inclusive) to high (exclusive) are on the topic. */
export interface DlqExtent {
  partition: number;
  low: string;
  high: string;
}

/**
 * Letters on a DLQ topic not yet closed: those between each partition's watermarks, less the
 * closed ones among them (a closed letter retention has removed no longer counts either way).
 */
export async function openLetterCount(ds: DataSource, dlqTopic: string, extents: readonly DlqExtent[]): Promise<number> {
  const held = extents.reduce((n, e) => n + Math.max(0, Number(e.high) - Number(e.low)), 0);
  if (!held) return 0;
  const [row] = (await ds.query(
    `select count(*)::int as n from dlq_closed c join unnest($2::int[], $3::bigint[], $4::bigint[]) as e(p, low, high)
       on c.dlq_partition = e.p and c.dlq_offset >= e.low and c.dlq_offset < e.high
     where c.dlq_topic = $1`,
    [dlqTopic, extents.map((e) => e.partition), extents.map((e) => e.low), extents.map((e) => e.high)],
  )) as Array<{ n: number }>;
  return Math.max(0, held - row.n);
}
