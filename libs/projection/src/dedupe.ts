import { contentHash } from '@trial/contracts';
import type { Completeness } from '@trial/followup';
import { PermanentError } from '@trial/messaging';
import type { LogEvent } from '@trial/readmodel';
import { z } from 'zod';
import { parsedRows, rows, storedCompleteness, type Sql } from './rows';

const firstTimesRow = z.object({ inserted: z.array(z.string()), held: storedCompleteness, registered: z.array(z.string()) });

/**
 * Dedupe by event id in the same transaction (the linkage outbox may resend an event at a new
 * offset), keeping the first occurrence within the batch too. Each id is stored with its
 * content's hash: a copy with the same content is a redelivery (a no-op), one with other
 * content reuses the id for another event, which is refused rather than dropped without a
 * trace. A row stored before hashes were kept cannot tell: a redelivery.
 *
 * With the held completeness and which of the batch's trials are registered (park.ts), in the
 * same round trip.
 */
export async function firstTimes(
  tx: Sql,
  consumer: string,
  events: readonly LogEvent[],
): Promise<{ fresh: LogEvent[]; held: Completeness; registered: Set<string> }> {
  const hashes = events.map((e) => contentHash(e));
  const trialIds = [...new Set(events.flatMap((e) => ('trialId' in e ? [e.trialId] : [])))];
  const [r] = await parsedRows(
    tx,
    firstTimesRow,
    { table: 'applied_events, rm_completeness, rm_trials' },
    `with d as (insert into applied_events (consumer, event_id, content_hash) select $1, id, h from unnest($2::text[], $3::text[]) as x(id, h)
       on conflict do nothing returning event_id)
     select coalesce((select json_agg(event_id) from d), '[]') as inserted,
            coalesce((select json_object_agg(source, complete_up_to) from rm_completeness), '{}') as held,
            coalesce((select json_agg(trial_id) from rm_trials where trial_id = any($4::text[]) and design is not null), '[]') as registered`,
    [consumer, events.map((e) => e.eventId), hashes, trialIds],
  );
  const inserted = new Set(r.inserted);
  const again = [...new Set(events.map((e) => e.eventId).filter((id) => !inserted.has(id)))];
  // A statement of its own, after the insert: it sees a row that a concurrent batch committed meanwhile.
  const stored = new Map(
    again.length === 0
      ? []
      : (
          await rows<{ event_id: string; content_hash: string | null }>(
            tx,
            `select event_id, content_hash from applied_events where consumer = $1 and event_id = any($2::text[])`,
            [consumer, again],
          )
        ).map((x) => [x.event_id, x.content_hash]),
  );
  const first = new Map<string, string>();
  const fresh: LogEvent[] = [];
  events.forEach((e, i) => {
    const was = first.get(e.eventId) ?? (inserted.has(e.eventId) ? null : (stored.get(e.eventId) ?? null));
    if (was !== null && was !== hashes[i]) {
      throw new PermanentError(
        'event-id-reused',
        `${e.type} ${e.eventId} reuses the id of an event already applied with other content${'trialId' in e ? ` (trial ${e.trialId})` : ''}`,
      );
    }
    if (first.has(e.eventId)) return;
    first.set(e.eventId, hashes[i]);
    if (inserted.has(e.eventId)) fresh.push(e);
  });
  return { fresh, held: r.held, registered: new Set(r.registered) };
}
