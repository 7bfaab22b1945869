import type { EntityManager } from 'typeorm';
import type { FollowUp, PatientState } from '@trial/followup';
import { keyColumns, patientKey, type PatientGuard } from '@trial/readmodel';
import { copyStream, PATIENT_DIGEST_SQL, patientDigest } from '@trial/storage';
import { rows } from './rows';

/**
 * Replay's bulk writes, set-based. Rows are streamed in with COPY while they are derived. Over
 * empty read models they go straight into their tables. Over held ones, a rebuilt patient whose
 * digest equals the held row's is left alone; the others go into a temporary table (dropped at
 * commit) that a few statements compare with what is held, so only what differs is written: a
 * replay over unchanged read models sends no patient row and rewrites none (and leaves no dead ones).
 * The applied ids are diffed against the held ones here, and only the new ones copied in.
 */

/** A rebuilt patient row, as COPY takes it: trial, patient, state, registry, follow-up, guard. */
export type RebuiltPatient = readonly [string, string, PatientState, string | null, FollowUp | null, PatientGuard];

const PATIENT_COLUMNS = ['trial_id', 'patient_id', 'state', 'registry', 'followup', 'guard'];

/** The scope's held patient rows, by patientKey: each one's digest (PATIENT_DIGEST_SQL). */
export type HeldDigests = Map<string, string>;

/**
 * Reads the digest of every held patient row in the scope. Replay starts it before it reads the
 * log, so Postgres computes the digests while the log is read and folded.
 */
export async function heldDigests(tx: EntityManager, only: string | null): Promise<HeldDigests> {
  const held: HeldDigests = new Map();
  const list = await rows<{ trial_id: string; patient_id: string; digest: string }>(
    tx,
    `select trial_id, patient_id, ${PATIENT_DIGEST_SQL} as digest from rm_patients where ($1::text is null or trial_id = $1)`,
    [only],
  );
  for (const h of list) held.set(patientKey(h.trial_id, h.patient_id), h.digest);
  return held;
}

/**
 * Makes the scope's rm_patients the rebuilt rows, and appends a history row at `now` for every
 * rebuilt patient whose state differs from the one held before (or who was not there): jsonb
 * equality, which ignores key order as the live projector's comparison does. A row's
 * `updated_at` moves only when the row does. `held` is what heldDigests read (it is emptied).
 * Returns how many history rows were added.
 */
export async function writePatients(
  tx: EntityManager,
  only: string | null,
  list: Iterable<RebuiltPatient>,
  held: HeldDigests,
  now: string,
): Promise<number> {
  // Patients no row is held for go straight in; the others are looked at after.
  const againstHeld: RebuiltPatient[] = [];
  await copyStream(
    tx,
    'rm_patients',
    [...PATIENT_COLUMNS, 'updated_at'],
    (function* () {
      for (const p of list) {
        if (held.has(patientKey(p[0], p[1]))) againstHeld.push(p);
        else yield [...p, now];
      }
    })(),
  );
  // Their history: the rows this transaction has written so far are the ones just copied in.
  const [r] = await rows<{ n: string }>(
    tx,
    `with h as (
      insert into rm_patient_history (trial_id, patient_id, recorded_at, state)
      select trial_id, patient_id, $2::timestamptz, state from rm_patients
      where ($1::text is null or trial_id = $1) and xmin = pg_current_xact_id()::xid returning 1)
    select count(*) as n from h`,
    [only, now],
  );
  const added = Number(r.n);
  if (held.size === 0) return added;
  // A rebuilt row whose digest equals the held one's is the same row and is not sent. The others
  // go to a temporary table that a few statements compare with what is held.
  function* differing(): Generator<RebuiltPatient> {
    for (const p of againstHeld) {
      const key = patientKey(p[0], p[1]);
      const digest = held.get(key);
      held.delete(key);
      if (digest !== patientDigest(p[2], p[3], p[4], p[5])) yield p;
    }
  }
  await tx.query(`create temporary table replay_patients (trial_id text not null, patient_id text not null, state jsonb not null,
    registry text, followup jsonb, guard jsonb) on commit drop`);
  await copyStream(tx, 'replay_patients', PATIENT_COLUMNS, differing());
  await tx.query(`analyze replay_patients`);
  // When many rows differ, the comparisons below hash-join them with their jsonb: in memory, not in batches on disk (this transaction only).
  await tx.query(`set local work_mem = '512MB'`);
  // What is left of `held` is no longer in the log's scope.
  const gone = [...held.keys()];
  held.clear();
  for (let i = 0; i < gone.length; i += 20_000) {
    await tx.query(
      `delete from rm_patients p where (p.trial_id, p.patient_id) in (select * from unnest($1::text[], $2::text[]))`,
      keyColumns(gone.slice(i, i + 20_000)),
    );
  }
  // History first, against the rows still held.
  const [c] = await rows<{ n: string }>(
    tx,
    `with h as (
      insert into rm_patient_history (trial_id, patient_id, recorded_at, state)
      select n.trial_id, n.patient_id, $1::timestamptz, n.state from replay_patients n
      join rm_patients p on p.trial_id = n.trial_id and p.patient_id = n.patient_id
      where p.state::jsonb is distinct from n.state returning 1)
    select count(*) as n from h`,
    [now],
  );
  await tx.query(
    `update rm_patients p set state = n.state, registry = n.registry, followup = n.followup, guard = n.guard, updated_at = $1
    from replay_patients n where p.trial_id = n.trial_id and p.patient_id = n.patient_id
      and (p.state::jsonb, p.registry, p.followup::jsonb, p.guard::jsonb) is distinct from (n.state, n.registry, n.followup, n.guard)`,
    [now],
  );
  return added + Number(c.n);
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
  // What the consumer holds, diffed here: an id held with the same hash stays as it is (its
  // applied_at too), one held with another hash or not kept is deleted, and the rest is copied in.
  const held = new Map<string, string | null>();
  for (const r of await rows<{ event_id: string; content_hash: string | null }>(
    tx,
    `select event_id, content_hash from applied_events where consumer = $1`,
    [consumer],
  ))
    held.set(r.event_id, r.content_hash);
  const toAdd: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (held.get(ids[i]) === hashes[i]) held.delete(ids[i]);
    else toAdd.push(i);
  }
  const gone = [...held.keys()];
  held.clear();
  for (let i = 0; i < gone.length; i += 20_000) {
    await tx.query(`delete from applied_events where consumer = $1 and event_id = any($2::text[])`, [consumer, gone.slice(i, i + 20_000)]);
  }
  // In id order, the primary key's: Postgres appends to the index rather than inserting at random (about 40% less of its work).
  toAdd.sort((a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
  await copyStream(
    tx,
    'applied_events',
    ['consumer', 'event_id', 'content_hash'],
    (function* (): Generator<readonly string[]> {
      for (const i of toAdd) yield [consumer, ids[i], hashes[i]];
    })(),
  );
}
