import type { EntityManager } from 'typeorm';
import { copyRows } from '@trial/storage';
import { rows, type PatientRow } from './rows';

/**
 * Replay's bulk writes, set-based: rows go in with COPY, and which patients changed is one
 * statement over the old and new rows rather than a comparison per patient in the process.
 */

/**
 * Keeps the scope's current patient states in a temporary table (dropped at commit) before they
 * are deleted, so `appendChangedHistory` can compare the rebuilt rows with them.
 */
export async function keepOldStates(tx: EntityManager, only: string | null): Promise<void> {
  await tx.query(`create temporary table replay_old_states on commit drop as
    select trial_id, patient_id, state from rm_patients where $1::text is null or trial_id = $1`, [only]);
}

/** Writes rebuilt patient rows (their scope was deleted first: no row is there already). */
export async function copyPatients(tx: EntityManager, list: ReadonlyArray<PatientRow & { registry: string | null }>, now: string): Promise<void> {
  await copyRows(tx, 'rm_patients', ['trial_id', 'patient_id', 'state', 'registry', 'followup', 'guard', 'updated_at'],
    list.map((p) => [p.trial_id, p.patient_id, p.state, p.registry, p.followup, p.guard, now]));
}

/**
 * A history row at `now` for every rebuilt patient whose state differs from the one held
 * before (or who was not there): jsonb equality, which ignores key order as the live
 * projector's comparison does. Returns how many.
 */
export async function appendChangedHistory(tx: EntityManager, only: string | null, now: string): Promise<number> {
  const [r] = await rows<{ n: string }>(tx,
    `with h as (
       insert into rm_patient_history (trial_id, patient_id, recorded_at, state)
       select p.trial_id, p.patient_id, $2::timestamptz, p.state
       from rm_patients p left join replay_old_states o using (trial_id, patient_id)
       where ($1::text is null or p.trial_id = $1) and o.state is distinct from p.state
       returning 1)
     select count(*) as n from h`, [only, now]);
  return Number(r.n);
}

/**
 * Records the kept events as applied, so the live projector neither re-applies nor misses
 * anything after the replay. A whole replay starts the consumer's set over and copies it; one
 * trial's adds to the set (the registry events it kept are already there).
 */
export async function markApplied(tx: EntityManager, consumer: string, ids: ReadonlyArray<{ event: { eventId: string }; hash: string }>, whole: boolean): Promise<void> {
  if (whole) {
    await tx.query(`delete from applied_events where consumer = $1`, [consumer]);
    await copyRows(tx, 'applied_events', ['consumer', 'event_id', 'content_hash'], ids.map((k) => [consumer, k.event.eventId, k.hash]));
    return;
  }
  for (let i = 0; i < ids.length; i += 20_000) {
    const part = ids.slice(i, i + 20_000);
    await tx.query(`insert into applied_events (consumer, event_id, content_hash) select $1, id, h from unnest($2::text[], $3::text[]) as x(id, h)
      on conflict do nothing`, [consumer, part.map((k) => k.event.eventId), part.map((k) => k.hash)]);
  }
}
