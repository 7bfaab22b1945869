import type { DeadLetter } from '@trial/messaging';

/** What dead_letter_park stores: a dead letter whose original is too large for the DLQ. */
export type ParkedLetter = DeadLetter;

/** Anything that runs SQL: a DataSource, an EntityManager (a transaction) or a pg client. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Parks an original in dead_letter_park and returns its id. A second park of the same origin
 * (a redelivery) returns the first row's id and changes nothing.
 */
export async function parkDeadLetter(q: Queryable, l: ParkedLetter, parkedAt: string): Promise<string> {
  const rows = (await q.query(
    `with ins as (
       insert into dead_letter_park (consumer, topic, partition, "offset", key, code, reason, original, parked_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       on conflict (consumer, topic, partition, "offset") do nothing
       returning id)
     select id::text from ins
     union all
     select id::text from dead_letter_park where consumer = $1 and topic = $2 and partition = $3 and "offset" = $4
     limit 1`,
    [
      l.consumer,
      l.topic,
      l.partition,
      l.offset,
      l.key === null ? null : noNul(l.key),
      noNul(l.code),
      noNul(l.reason),
      l.original ?? Buffer.alloc(0),
      parkedAt,
    ],
  )) as Array<{ id: string }>;
  if (!rows.length) throw new Error('dead_letter_park: no row after insert');
  return rows[0].id;
}

/** Postgres text refuses U+0000; the original (bytea) keeps every byte. */
function noNul(s: string): string {
  return s.replace(/\u0000/g, '\uFFFD');
}
