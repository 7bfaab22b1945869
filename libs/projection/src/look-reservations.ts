import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { interimLookTaken, type InterimLookTaken } from '@trial/contracts';
import { parsedRows, rows, type Sql } from './rows';

/**
 * Advisory lock class of a trial's look numbering (pg_advisory_xact_lock(LOOK_LOCK, hashtext(trial))),
 * held by the API's transaction that decides, reserves and publishes a look.
 */
export const LOOK_LOCK = 7261307;

/**
 * Runs `f` in a transaction holding the trial's look lock, so that API processes take a
 * trial's looks one at a time: each sees the looks reserved before it (committed), whether or
 * not the projector has frozen them yet, and numbers its own after them.
 */
export async function withLookLock<T>(ds: DataSource, trialId: string, f: (tx: Sql) => Promise<T>): Promise<T> {
  return ds.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1, hashtext($2))', [LOOK_LOCK, trialId]);
    return f(tx);
  });
}

/**
 * The looks of a trial as far as taking the next one goes: those frozen (rm_looks) and those
 * reserved by an API but not yet projected, one per number (the frozen one when both), in order.
 */
export async function looksTakenOrReserved(sql: Sql, trialId: string): Promise<InterimLookTaken[]> {
  const held = await parsedRows(
    sql,
    z.object({ event: interimLookTaken }),
    { table: 'rm_looks, look_reservations', column: 'event' },
    `select distinct on (look) event from (
       select look, event, 0 as pref from rm_looks where trial_id = $1
       union all select look, event, 1 from look_reservations where trial_id = $1) x
     order by look, pref`,
    [trialId],
  );
  return held.map((r) => r.event);
}

/**
 * Reserves look n of its trial for `e`; false when another API holds that number already (the
 * primary key: the backstop should a caller not hold the look lock).
 */
export async function reserveLook(sql: Sql, e: InterimLookTaken, now: string): Promise<boolean> {
  const r = await rows<{ look: number }>(
    sql,
    `insert into look_reservations (trial_id, look, event, reserved_at) values ($1, $2, $3, $4) on conflict do nothing returning look`,
    [e.trialId, e.look, JSON.stringify(e), now],
  );
  return r.length === 1;
}
