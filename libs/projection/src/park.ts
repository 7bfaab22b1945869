import type { FollowupEvent } from '@trial/followup';
import { keyColumns, patientKey } from '@trial/readmodel';
import { z } from 'zod';
import { parsedRows, type Sql } from './rows';
import { parkedEvent } from './stored-rows';

const parkedRow = z.object({ event: parkedEvent });
const PARKED = { table: 'rm_parked', column: 'event' };

/**
 * Patient events of a trial whose TrialRegistered has not been applied.
 * Applied straight away they made a "ghost" trial, with no design, that monitors saw in
 * GET /trials. They wait in rm_parked, already deduplicated and checked against the patient's
 * earlier events (parked ones included), and are applied in arrival order, exactly once, in
 * the transaction that registers the trial (and deleted there). Enrolment events (a
 * PatientRandomised before its TrialRegistered, on another partition) wait too: a trial's
 * patients without its design would be the same ghost. Replay parks what the log never
 * registers, so it leaves the same rows.
 */

/** Parked events of these patients, per patient in arrival order (still parked). */
export async function parkedOf(sql: Sql, keys: readonly string[]): Promise<Map<string, FollowupEvent[]>> {
  if (!keys.length) return new Map();
  const list = await parsedRows(
    sql,
    parkedRow,
    PARKED,
    `select event from rm_parked where (trial_id, patient_id) in (select * from unnest($1::text[], $2::text[])) order by id`,
    keyColumns(keys),
  );
  return byPatient(list.map((r) => r.event));
}

/** Takes every parked event of these trials out of the park: per patient, in arrival order. */
export async function unpark(sql: Sql, trialIds: readonly string[]): Promise<Map<string, FollowupEvent[]>> {
  if (!trialIds.length) return new Map();
  const list = await parsedRows(
    sql,
    parkedRow,
    PARKED,
    `with d as (delete from rm_parked where trial_id = any($1::text[]) returning id, event) select id, event from d order by id`,
    [trialIds],
  );
  return byPatient(list.map((r) => r.event));
}

/** Appends events to the park, in the order given. */
export async function park(sql: Sql, events: readonly FollowupEvent[], now: string): Promise<void> {
  if (!events.length) return;
  await sql.query(
    `insert into rm_parked (trial_id, patient_id, event, parked_at, code, reason)
     select e->>'trialId', e->>'patientId', e, $2::timestamptz, 'trial-not-registered',
       format('%s %s waits for TrialRegistered of trial %s', e->>'type', e->>'eventId', e->>'trialId')
     from jsonb_array_elements($1::jsonb) with ordinality as x(e, n) order by n`,
    [JSON.stringify(events), now],
  );
}

function byPatient(events: readonly FollowupEvent[]): Map<string, FollowupEvent[]> {
  const m = new Map<string, FollowupEvent[]>();
  for (const e of events) {
    const k = patientKey(e.trialId, e.patientId);
    const list = m.get(k);
    if (list) list.push(e);
    else m.set(k, [e]);
  }
  return m;
}
