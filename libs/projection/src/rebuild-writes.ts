import type { EntityManager } from 'typeorm';
import type { FollowUp, PatientState } from '@trial/followup';
import type { PatientGuard } from '@trial/readmodel';
import { copyStream } from '@trial/storage';
import { rows } from './rows';

/**
 * Replay's bulk writes, set-based. Rows are streamed in with COPY while they are derived. Over
 * empty read models they go straight into their tables; over held ones into a temporary table
 * (dropped at commit) that a few statements compare with what is held, so only what differs is
 * written: a replay over unchanged read models rewrites no row (and leaves no dead ones).
 */

/** A rebuilt patient row, as COPY takes it: trial, patient, state, registry, follow-up, guard. */
export type RebuiltPatient = readonly [string, string, PatientState, string | null, FollowUp | null, PatientGuard];

const PATIENT_COLUMNS = ['trial_id', 'patient_id', 'state', 'registry', 'followup', 'guard'];

async function heldAny(tx: EntityManager, text: string, params: unknown[]): Promise<boolean> {
  const [r] = await rows<{ held: boolean }>(tx, `select exists (${text}) as held`, params);
  return r.held;
}

/**
 * Makes the scope's rm_patients the rebuilt rows, and appends a history row at `now` for every
 * rebuilt patient whose state differs from the one held before (or who was not there): jsonb
 * equality, which ignores key order as the live projector's comparison does. A row's
 * `updated_at` moves only when the row does. Returns how many history rows were added.
 */
export async function writePatients(tx: EntityManager, only: string | null, list: Iterable<RebuiltPatient>, now: string): Promise<number> {
  const scope = `($1::text is null or trial_id = $1)`;
  if (!(await heldAny(tx, `select 1 from rm_patients where ${scope}`, [only]))) {
    await copyStream(
      tx,
      'rm_patients',
      [...PATIENT_COLUMNS, 'updated_at'],
      (function* () {
        for (const p of list) yield [...p, now];
      })(),
    );
    const [r] = await rows<{ n: string }>(
      tx,
      `with h as (
        insert into rm_patient_history (trial_id, patient_id, recorded_at, state)
        select trial_id, patient_id, $2::timestamptz, state from rm_patients where ${scope} returning 1)
      select count(*) as n from h`,
      [only, now],
    );
    return Number(r.n);
  }
  await tx.query(`create temporary table replay_patients (trial_id text not null, patient_id text not null, state jsonb not null,
    registry text, followup jsonb, guard jsonb) on commit drop`);
  await copyStream(tx, 'replay_patients', PATIENT_COLUMNS, list);
  await tx.query(`analyze replay_patients`);
  // The comparisons below hash-join half a million rows with their jsonb: in memory, not in batches on disk (this transaction only).
  await tx.query(`set local work_mem = '512MB'`);
  // History first, against the rows still held.
  const [r] = await rows<{ n: string }>(
    tx,
    `with h as (
      insert into rm_patient_history (trial_id, patient_id, recorded_at, state)
      select n.trial_id, n.patient_id, $1::timestamptz, n.state from replay_patients n
      left join rm_patients p on p.trial_id = n.trial_id and p.patient_id = n.patient_id
      where p.state is distinct from n.state returning 1)
    select count(*) as n from h`,
    [now],
  );
  await tx.query(
    `delete from rm_patients p where ($1::text is null or p.trial_id = $1)
    and not exists (select 1 from replay_patients n where n.trial_id = p.trial_id and n.patient_id = p.patient_id)`,
    [only],
  );
  await tx.query(
    `update rm_patients p set state = n.state, registry = n.registry, followup = n.followup, guard = n.guard, updated_at = $1
    from replay_patients n where p.trial_id = n.trial_id and p.patient_id = n.patient_id
      and (p.state, p.registry, p.followup, p.guard) is distinct from (n.state, n.registry, n.followup, n.guard)`,
    [now],
  );
  await tx.query(
    `insert into rm_patients (trial_id, patient_id, state, registry, followup, guard, updated_at)
    select n.trial_id, n.patient_id, n.state, n.registry, n.followup, n.guard, $1 from replay_patients n
    where not exists (select 1 from rm_patients p where p.trial_id = n.trial_id and p.patient_id = n.patient_id)`,
    [now],
  );
  return Number(r.n);
}

/**
 * Records the kept events as applied, so the live projector neither re-applies nor misses
 * anything after the replay. A whole replay makes the consumer's set exactly these (ids with
 * their hashes; ids and hashes it already holds stay as they are); one trial's adds to the set
 * (the registry events it kept are already there).
 */
export async function markApplied(
  tx: EntityManager,
  consumer: string,
  ids: readonly string[],
  hashes: readonly string[],
  whole: boolean,
): Promise<void> {
  const pairs = function* (): Generator<readonly string[]> {
    for (let i = 0; i < ids.length; i++) yield [ids[i], hashes[i]];
  };
  if (!whole) {
    for (let i = 0; i < ids.length; i += 20_000) {
      await tx.query(
        `insert into applied_events (consumer, event_id, content_hash) select $1, id, h from unnest($2::text[], $3::text[]) as x(id, h)
        on conflict do nothing`,
        [consumer, ids.slice(i, i + 20_000), hashes.slice(i, i + 20_000)],
      );
    }
    return;
  }
  if (!(await heldAny(tx, `select 1 from applied_events where consumer = $1`, [consumer]))) {
    const withConsumer = function* (): Generator<readonly string[]> {
      for (const p of pairs()) yield [consumer, ...p];
    };
    await copyStream(tx, 'applied_events', ['consumer', 'event_id', 'content_hash'], withConsumer());
    return;
  }
  await tx.query(`create temporary table replay_applied (event_id text not null, content_hash text not null) on commit drop`);
  await copyStream(tx, 'replay_applied', ['event_id', 'content_hash'], pairs());
  await tx.query(`analyze replay_applied`);
  await tx.query(
    `delete from applied_events a where a.consumer = $1
    and not exists (select 1 from replay_applied n
      where n.event_id = a.event_id and n.content_hash is not distinct from a.content_hash)`,
    [consumer],
  );
  await tx.query(
    `insert into applied_events (consumer, event_id, content_hash) select $1, n.event_id, n.content_hash from replay_applied n
    where not exists (select 1 from applied_events a where a.consumer = $1 and a.event_id = n.event_id)`,
    [consumer],
  );
}
