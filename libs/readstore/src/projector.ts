import type { DataSource, EntityManager } from 'typeorm';
import { contentHash, type TrialRegistered } from '@trial/contracts';
import type { Completeness, FollowupEvent } from '@trial/followup';
import { PermanentError } from '@trial/messaging';
import {
  coveringRegistry, emptyGuard, foldCompleteness, foldGuarded, followUpOf, observationOf, patientKey, sameJson, sameObservation,
  sortEvents, TrialCohort, type Guarded, type GuardedFold, type LogEvent, type Observation,
} from '@trial/readmodel';
import { applyWithCheckpoint } from '@trial/storage';
import { park, parkedOf, unpark } from './park';
import {
  notifyChanged, rows, saveSnapshots, upsertPatients,
  type PatientRow, type ReadoutCause, type ReadoutChanged, type Sql, type TrialSnapshot,
} from './rows';

/** `PROJECTOR_PROFILE=1`: per-phase timings of the batch path, to stderr every 5 s (diagnosis only). */
const PROFILE = process.env.PROJECTOR_PROFILE === '1';
const prof = new Map<string, { n: number; ms: number; max: number }>();
function mark(name: string, ms: number): void {
  if (!PROFILE) return;
  const p = prof.get(name) ?? { n: 0, ms: 0, max: 0 };
  p.n++; p.ms += ms; p.max = Math.max(p.max, ms);
  prof.set(name, p);
}
if (PROFILE) setInterval(() => {
  const line = [...prof].map(([k, v]) => `${k} n=${v.n} avg=${(v.ms / v.n).toFixed(1)} max=${v.max.toFixed(0)}`).join(' | ');
  process.stderr.write(`[profile] ${line}\n`);
  prof.clear();
}, 5000).unref();
async function timed<T>(name: string, f: () => Promise<T>): Promise<T> {
  if (!PROFILE) return f();
  const t = performance.now();
  try { return await f(); } finally { mark(name, performance.now() - t); }
}

/** The projector's checkpoint and dedupe name; replay sets its checkpoints. */
export const PROJECTOR = 'projector';
/** Advisory lock: the live projector takes it shared per batch, a replay exclusively. */
export const PROJECTION_LOCK = 7261302;
/**
 * Advisory lock on registry completeness: every batch takes it shared before it reads
 * completeness; a batch carrying a registry's extract-complete takes it exclusively, so a
 * completeness move never races a concurrent batch deriving follow-ups from the old date.
 */
export const COMPLETENESS_LOCK = 7261303;
/** Advisory lock class of a patient (pg_advisory_xact_lock(PATIENT_LOCK, hashtext(trial NUL patient))). */
export const PATIENT_LOCK = 7261304;
/**
 * Advisory lock class of a trial: every batch with events of a trial's patients takes it
 * shared, a batch carrying the trial's TrialRegistered exclusively. So a batch that parks a
 * patient event (trial not registered yet) never commits after the registering batch has
 * taken the park out: one of them sees the other's commit.
 */
export const TRIAL_LOCK = 7261306;

export interface BatchIn {
  topic: string;
  partition: number;
  lastOffset: string;
  messages: Array<{ offset: string; value: LogEvent }>;
}

export interface BatchOut {
  applied: number;
  duplicates: number;
  /** Events put in the park (their trial is not registered yet); included in `applied`. */
  parked: number;
  trialsChanged: string[];
}

type Cause = ReadoutCause;

interface Cached {
  version: number;
  cohort: TrialCohort;
  design: TrialRegistered | null;
  eventsApplied: number;
  dataComplete: Completeness;
  /** The batches folded in since the last flush, for the NOTIFY (the benchmark attributes latency by them). */
  causes: Cause[];
  /** When the change committed (the batch's clock): the snapshot's `recorded_at`. */
  changedAt: string;
}

/** One committed trial version not yet folded into the cache (an earlier version's commit is still in flight). */
interface Committed {
  diffs: Diff[];
  design: TrialRegistered | null;
  eventsApplied: number;
  dataComplete: Completeness;
  cause: Cause;
  changedAt: string;
}

interface Diff {
  before: Observation | null;
  after: Observation | null;
}

/**
 * Applies partition batches to the read models; batches of different partitions may run
 * concurrently (each is its own transaction with its own checkpoint).
 *
 * In the batch's transaction (with the checkpoint and the event-id dedupe): patients' states
 * and follow-ups, their append-only history, completeness, and per trial a version and event
 * count. That is the whole truth; everything else is derived from it. The trial rows are
 * upserted last and in sorted order, so concurrent batches serialise only on that short tail
 * and never deadlock; a patient's events are keyed to one partition, so patient rows do not
 * conflict (a completeness move, which re-derives many patients, runs alone: COMPLETENESS_LOCK).
 *
 * Per trial it keeps a TrialCohort in memory that reflects exactly one committed
 * `rm_trials.version`. After a commit, each trial's patient changes (remove-old/add-new) are
 * recorded under the version that commit produced and folded in strictly in version order. A
 * version that never arrives in this process (another instance, a replay) leaves a gap; the
 * flusher then reloads the trial from one consistent statement. The flusher writes each changed
 * trial's snapshot (the cohort's sufficient statistics) and NOTIFYs, coalescing however many
 * batches committed meanwhile: writing the snapshot of every touched trial in every partition
 * batch is what measured too slow. A crash between commit and flush leaves
 * `rm_readouts.version` behind `rm_trials.version`; readers then compute from the patients
 * (queries.ts) and `repairStale` rewrites it at start.
 *
 * What it refuses rather than apply or drop (issue 10, items 3 and 7): each patient's events
 * go through the guard of @trial/readmodel (an outcome whose `seq` or record version goes back,
 * a second, different randomisation) and every event through the content-hash dedupe (an id
 * reused with other content). A refusal throws a PermanentError, so the consumer re-runs the
 * batch a message at a time and dead-letters that message alone with its code. Patient events
 * of a trial not registered yet are parked (park.ts) and applied when it is. Replay (rebuild.ts)
 * folds the log with the same rules (foldLog), so it leaves out what went to the DLQ.
 */
export class ReadModelProjector {
  private readonly cache = new Map<string, Cached>();
  /** Per trial, committed versions waiting for an earlier one. */
  private readonly committed = new Map<string, Map<number, Committed>>();
  private readonly dirty = new Set<string>();
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly now: () => string,
    private readonly onFlushError: (e: unknown) => void = () => undefined,
    private readonly consumer = PROJECTOR,
  ) {}

  async apply(batch: BatchIn): Promise<BatchOut> {
    const t0 = performance.now();
    let commit: (() => void) | null = null;
    const out = await applyWithCheckpoint(this.ds, this.consumer, batch.topic, batch.partition, batch.messages, batch.lastOffset,
      async (tx, fresh) => {
        // Locks, in one order for every batch (so none deadlock): replay, completeness, then the
        // batch's patients. A patient's enrolment and outcome events arrive on two topics, so two
        // concurrent batches can share a patient; its row may not exist yet, so the row lock of
        // loadPatients cannot serialise them, and a transaction advisory lock per patient (sorted) does.
        const exclusive = batch.messages.some((m) => m.value.type === 'RegistryExtractCompleted' || m.value.type === 'RegistryCompletenessCorrected');
        const keys = [...new Set(batch.messages.flatMap((m) => 'patientId' in m.value ? [`${m.value.trialId}:${m.value.patientId}`] : []))];
        // Trials (TRIAL_LOCK: exclusive when registered here) come between completeness and patients.
        const trials = [...new Set(batch.messages.flatMap((m) => 'trialId' in m.value ? [m.value.trialId] : []))];
        const registering = [...new Set(batch.messages.flatMap((m) => m.value.type === 'TrialRegistered' ? [m.value.trialId] : []))];
        await tx.query(
          `select pg_advisory_xact_lock_shared($1), pg_advisory_xact_lock${exclusive ? '' : '_shared'}($2),
             (select count(*) from (select case when ex then pg_advisory_xact_lock($5, k) else pg_advisory_xact_lock_shared($5, k) end
                from (select hashtext(x) as k, bool_or(x = any($7::text[])) as ex from unnest($6::text[]) as x group by 1 order by 1) as sorted) as locked),
             (select count(*) from (select pg_advisory_xact_lock($3, k) from (select distinct hashtext(x) as k from unnest($4::text[]) as x order by k) as sorted) as locked)`,
          [PROJECTION_LOCK, COMPLETENESS_LOCK, PATIENT_LOCK, keys, TRIAL_LOCK, trials, registering]);
        const r = await this.effect(tx, fresh.map((m) => m.value), batch);
        commit = r.commit;
        return r.out;
      });
    mark('batchTx', performance.now() - t0);
    mark('batchSize', batch.messages.length);
    (commit as (() => void) | null)?.();
    this.scheduleFlush();
    return out;
  }

  /** Resolves when every committed change has been written out (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.flushing !== null || this.dirty.size > 0) {
      this.scheduleFlush();
      await this.flushing;
    }
  }

  /** Rewrites snapshots that are behind their trial's version (after a crash before a flush). */
  async repairStale(): Promise<number> {
    const stale = await rows<{ trial_id: string }>(this.ds,
      `select t.trial_id from rm_trials t left join rm_readouts r using (trial_id) where r.version is null or r.version < t.version`);
    for (const { trial_id } of stale) {
      this.cache.delete(trial_id);
      this.dirty.add(trial_id);
    }
    await this.drain();
    return stale.length;
  }

  /** Forgets every cached trial (after a replay in this process). */
  reset(): void {
    this.cache.clear();
    this.committed.clear();
  }

  private scheduleFlush(): void {
    if (this.flushing !== null || this.dirty.size === 0) return;
    const tf = performance.now();
    this.flushing = this.flush()
      .then(() => mark('flush', performance.now() - tf))
      .catch((e: unknown) => this.onFlushError(e))
      .finally(() => {
        this.flushing = null;
        // Changes that committed during the flush go out in the next one, straight away.
        if (this.dirty.size > 0) this.scheduleFlush();
      });
  }

  /** Records a committed trial version and folds in every consecutive one the cache can take. */
  private record(trialId: string, version: number, c: Committed): void {
    const waiting = this.committed.get(trialId) ?? new Map<number, Committed>();
    waiting.set(version, c);
    this.committed.set(trialId, waiting);
    this.advance(trialId);
    this.dirty.add(trialId);
  }

  private advance(trialId: string): void {
    const cached = this.cache.get(trialId);
    const waiting = this.committed.get(trialId);
    if (!cached || !waiting) return;
    for (let next = waiting.get(cached.version + 1); next; next = waiting.get(cached.version + 1)) {
      waiting.delete(cached.version + 1);
      for (const d of next.diffs) cached.cohort.apply(d.before, d.after);
      cached.version += 1;
      cached.design = next.design;
      cached.eventsApplied = next.eventsApplied;
      cached.dataComplete = next.dataComplete;
      cached.changedAt = next.changedAt;
      cached.causes.push(next.cause);
    }
    for (const [v, c] of waiting) {
      // Already in the cache (reloaded at or after that version): only its cause is left to report.
      if (v <= cached.version) {
        cached.causes.push(c.cause);
        waiting.delete(v);
      }
    }
    if (!waiting.size) this.committed.delete(trialId);
  }

  private async flush(): Promise<void> {
    const ids = [...this.dirty].sort();
    this.dirty.clear();
    try {
      await this.ds.transaction(async (tx) => {
        const list: Array<{ snapshot: TrialSnapshot; version: number; recordedAt: string; causes: Cause[] }> = [];
        const taken: Array<[Cached, number]> = [];
        for (const trialId of ids) {
          // Not cached, or waiting on a version that never reached this process: reload, then fold in what is newer.
          if (!this.cache.has(trialId) || this.committed.has(trialId)) await this.reload(tx, trialId);
          const c = this.cache.get(trialId)!;
          list.push({
            version: c.version, recordedAt: c.changedAt, causes: [...c.causes],
            snapshot: { trialId, design: c.design, eventsApplied: c.eventsApplied, dataComplete: c.dataComplete, cohort: c.cohort.snapshot() },
          });
          taken.push([c, c.causes.length]);
        }
        const ts = performance.now();
        const written = new Set(await saveSnapshots(tx, list));
        mark('saveSnapshots', performance.now() - ts);
        await notifyChanged(tx, list.filter((x) => written.has(x.snapshot.trialId)).map((x) => {
          const last = x.causes[x.causes.length - 1] ?? null;
          return {
            trialId: x.snapshot.trialId, version: x.version, eventsApplied: x.snapshot.eventsApplied,
            topic: last?.topic ?? null, partition: last?.partition ?? null, lastOffset: last?.lastOffset ?? null, causes: latestPerPartition(x.causes),
          };
        }));
        for (const [c, n] of taken) c.causes.splice(0, n);
      });
    } catch (e) {
      for (const t of ids) this.dirty.add(t);
      throw e;
    }
  }

  /**
   * A trial's committed state from the database: version, design, count, completeness and every
   * follow-up in ONE statement, so all of it is of one snapshot (one version).
   */
  private async reload(sql: Sql, trialId: string): Promise<void> {
    mark('reload', 1);
    const [t] = await rows<{
      design: TrialRegistered | null; version: string | null; events_applied: string | null; updated_at: Date | null;
      completeness: Completeness | null; followups: Array<NonNullable<PatientRow['followup']>>;
    }>(sql,
      `select t.design, t.version, t.events_applied, t.updated_at,
         (select json_object_agg(source, complete_up_to) from rm_completeness) as completeness,
         (select coalesce(json_agg(p.followup), '[]') from rm_patients p where p.trial_id = $1 and p.followup is not null) as followups
       from (select 1) as one left join rm_trials t on t.trial_id = $1`, [trialId]);
    const before = this.cache.get(trialId);
    this.cache.set(trialId, {
      version: Number(t?.version ?? 0), design: t?.design ?? null, eventsApplied: Number(t?.events_applied ?? 0),
      dataComplete: t?.completeness ?? {}, cohort: TrialCohort.of((t?.followups ?? []).map((f) => observationOf(f))),
      causes: before?.causes ?? [], changedAt: (t?.updated_at ?? new Date()).toISOString(),
    });
    this.advance(trialId);
  }

  private async effect(tx: EntityManager, events: LogEvent[], batch: BatchIn): Promise<{ out: BatchOut; commit: () => void }> {
    const now = this.now();
    // Dedupe and the held completeness in one round trip (after the locks, so it is current).
    const { fresh, held, registered: before } = await timed('dedupe', () => firstTimes(tx, this.consumer, events));
    const sorted = sortEvents(fresh);

    // Registries first: a new completeness date re-derives every patient the registry covers.
    const completeness = foldCompleteness(held, sorted.extracts);
    const moved = (Object.keys(completeness) as Array<keyof Completeness>).filter((s) => completeness[s] !== held[s]);
    for (const s of moved) {
      await tx.query(`insert into rm_completeness (source, complete_up_to, recorded_at) values ($1, $2, $3)
        on conflict (source) do update set complete_up_to = excluded.complete_up_to, recorded_at = excluded.recorded_at`, [s, completeness[s], now]);
      await tx.query(`insert into rm_completeness_history (source, complete_up_to, recorded_at) values ($1, $2, $3)`, [s, completeness[s], now]);
    }

    // Trials not registered yet: their patients' events wait in the park (park.ts). A trial
    // registered in this batch takes its parked events out and applies them first, in order.
    const registeredNow = [...new Set(sorted.trials.map((t) => t.trialId))];
    const registered = new Set([...before, ...registeredNow]);
    const drained = await unpark(tx, registeredNow.filter((t) => !before.has(t)));
    const waiting = [...sorted.patients.keys()].filter((k) => !registered.has(k.split('\u0000')[0]));
    const heldParked = await parkedOf(tx, waiting);

    const loaded = await timed('loadPatients', () => loadPatients(tx, [...new Set([...sorted.patients.keys(), ...drained.keys()])], moved));
    const toPark: FollowupEvent[] = [];
    for (const key of waiting) {
      const held = foldGuarded(guardedOf(loaded.get(key)), heldParked.get(key) ?? []);
      const next = foldGuarded(held, sorted.patients.get(key) ?? []);
      refuse(next);
      toPark.push(...next.admitted);
    }
    await park(tx, toPark, now);

    const perTrial = new Map<string, number>();
    const count = (trialId: string, n: number) => { if (n) perTrial.set(trialId, (perTrial.get(trialId) ?? 0) + n); };
    for (const t of sorted.trials) count(t.trialId, 1);
    const parkedNow = new Set(waiting);
    const changed: Array<PatientRow & { registry: string | null }> = [];
    const diffs = new Map<string, Diff[]>();
    for (const key of new Set([...sorted.patients.keys(), ...drained.keys(), ...loaded.keys()])) {
      const row = loaded.get(key) ?? null;
      const events = parkedNow.has(key) ? [] : sorted.patients.get(key) ?? [];
      if (row === null && events.length === 0 && !drained.has(key)) continue; // parked, nothing applied yet
      // Parked events were checked against this same history when parked: none is refused here.
      const unparked = foldGuarded(guardedOf(row ?? undefined), drained.get(key) ?? []);
      const next = foldGuarded(unparked, events);
      refuse(next);
      const { state, guard } = next;
      count(state.trialId!, unparked.admitted.length + next.admitted.length);
      const fu = followUpOf(state, completeness);
      if (row === null || !sameJson(row.state, state) || !sameJson(row.followup, fu) || !sameJson(row.guard, guard)) {
        changed.push({ trial_id: state.trialId!, patient_id: state.patientId!, state, followup: fu, guard, registry: coveringRegistry(state) });
      }
      const before = row?.followup ? observationOf(row.followup) : null;
      const after = fu ? observationOf(fu) : null;
      if (!sameObservation(before, after)) {
        const list = diffs.get(state.trialId!) ?? [];
        list.push({ before, after });
        diffs.set(state.trialId!, list);
      }
    }

    await timed('upsertPatients', () => upsertPatients(tx, changed, now,
      (c) => !sameJson(loaded.get(patientKey(c.trial_id, c.patient_id))?.state ?? null, c.state)));

    // Last, so that concurrent batches hold a trial's row lock only for this tail: lock and
    // version every touched trial in one statement (sorted, so batches never deadlock).
    const designs = new Map(sorted.trials.map((e) => [e.trialId, e] as const));
    // A registry's completeness is part of every trial's read-out (dataComplete), so a move touches all.
    const everyTrial = moved.length ? (await rows<{ trial_id: string }>(tx, `select trial_id from rm_trials`)).map((r) => r.trial_id) : [];
    const trialIds = [...new Set([...diffs.keys(), ...perTrial.keys(), ...everyTrial])].sort();
    const tv = performance.now();
    const versions = trialIds.length === 0 ? [] : await rows<{ trial_id: string; design: TrialRegistered | null; version: string; events_applied: string; updated_at: Date }>(tx,
      // With the as-of bookkeeping (rm_readout_history, as appendReadoutHistory writes it) in the
      // same statement: one round trip fewer while the trial rows are locked.
      // The stamp never goes back: a batch whose clock started earlier can reach this lock after
      // a later one (partitions run concurrently), and a version stamped before its predecessor
      // would make `?asOf=` of the newer look find the older version.
      `with v as (
         insert into rm_trials (trial_id, design, version, events_applied, updated_at)
         select r.trial_id, r.design, 1, r.n, $2::timestamptz from jsonb_to_recordset($1::jsonb) as r(trial_id text, design jsonb, n bigint) order by r.trial_id
         on conflict (trial_id) do update set version = rm_trials.version + 1, events_applied = rm_trials.events_applied + excluded.events_applied,
           design = coalesce(excluded.design, rm_trials.design), updated_at = greatest(excluded.updated_at, rm_trials.updated_at)
         returning trial_id, design, version, events_applied, updated_at),
       h as (
         insert into rm_readout_history (trial_id, version, recorded_at, events_applied, data_complete)
         select v.trial_id, v.version, v.updated_at, v.events_applied, $3::jsonb from v)
       select * from v`,
      [JSON.stringify(trialIds.map((t) => ({ trial_id: t, design: designs.get(t) ?? null, n: perTrial.get(t) ?? 0 }))), now, JSON.stringify(completeness)]);
    mark('trialsUpsert', performance.now() - tv);

    const cause: Cause = { topic: batch.topic, partition: batch.partition, lastOffset: batch.lastOffset };
    const commit = () => {
      for (const v of versions) {
        this.record(v.trial_id, Number(v.version), {
          diffs: diffs.get(v.trial_id) ?? [], design: v.design, eventsApplied: Number(v.events_applied), dataComplete: completeness, cause, changedAt: v.updated_at.toISOString(),
        });
      }
    };
    return { out: { applied: fresh.length, duplicates: events.length - fresh.length, parked: toPark.length, trialsChanged: trialIds }, commit };
  }
}

/** The newest cause per topic-partition (offsets only grow within one). */
function latestPerPartition(causes: readonly Cause[]): Cause[] {
  const by = new Map<string, Cause>();
  for (const c of causes) {
    const k = `${c.topic}:${c.partition}`;
    const was = by.get(k);
    if (!was || BigInt(c.lastOffset) > BigInt(was.lastOffset)) by.set(k, c);
  }
  return [...by.values()];
}

/**
 * Dedupe by event id in the same transaction (the linkage outbox may resend an event at a new
 * offset), keeping the first occurrence within the batch too. Each id is stored with its
 * content's hash: a copy with the same content is a redelivery (a no-op), one with other
 * content reuses the id for another event, which is refused rather than dropped without a
 * trace (issue 10, item 7). A row stored before hashes were kept cannot tell: a redelivery.
 */
async function firstTimes(tx: Sql, consumer: string, events: readonly LogEvent[]):
  Promise<{ fresh: LogEvent[]; held: Completeness; registered: Set<string> }> {
  const hashes = events.map((e) => contentHash(e));
  const trialIds = [...new Set(events.flatMap((e) => ('trialId' in e ? [e.trialId] : [])))];
  // With the held completeness and which of the batch's trials are registered (park.ts): one round trip.
  const [r] = await rows<{ inserted: string[]; held: Completeness; registered: string[] }>(tx,
    `with d as (insert into applied_events (consumer, event_id, content_hash) select $1, id, h from unnest($2::text[], $3::text[]) as x(id, h)
       on conflict do nothing returning event_id)
     select coalesce((select json_agg(event_id) from d), '[]') as inserted,
            coalesce((select json_object_agg(source, complete_up_to) from rm_completeness), '{}') as held,
            coalesce((select json_agg(trial_id) from rm_trials where trial_id = any($4::text[]) and design is not null), '[]') as registered`,
    [consumer, events.map((e) => e.eventId), hashes, trialIds]);
  const inserted = new Set(r.inserted);
  const again = [...new Set(events.map((e) => e.eventId).filter((id) => !inserted.has(id)))];
  // A statement of its own, after the insert: it sees a row that a concurrent batch committed meanwhile.
  const stored = new Map(again.length === 0 ? [] : (await rows<{ event_id: string; content_hash: string | null }>(tx,
    `select event_id, content_hash from applied_events where consumer = $1 and event_id = any($2::text[])`, [consumer, again]))
    .map((x) => [x.event_id, x.content_hash]));
  const first = new Map<string, string>();
  const fresh: LogEvent[] = [];
  events.forEach((e, i) => {
    const was = first.get(e.eventId) ?? (inserted.has(e.eventId) ? null : stored.get(e.eventId) ?? null);
    if (was !== null && was !== hashes[i]) {
      throw new PermanentError('event-id-reused',
        `${e.type} ${e.eventId} reuses the id of an event already applied with other content${'trialId' in e ? ` (trial ${e.trialId})` : ''}`);
    }
    if (first.has(e.eventId)) return;
    first.set(e.eventId, hashes[i]);
    if (inserted.has(e.eventId)) fresh.push(e);
  });
  return { fresh, held: r.held, registered: new Set(r.registered) };
}

/** A loaded row as the guard's input (a row from before the guard starts with an empty one). */
function guardedOf(row: PatientRow | undefined): Guarded | null {
  return row === undefined ? null : { state: row.state, guard: row.guard ?? emptyGuard };
}

/** Throws the first refusal of a patient's events: the consumer dead-letters that message alone. */
function refuse(f: GuardedFold): void {
  const [r] = f.refused;
  if (r !== undefined) throw new PermanentError(r.refusal.code, r.refusal.reason);
}

/** The batch's patients, plus (when a registry moved) every patient that registry covers. */
async function loadPatients(tx: Sql, keys: string[], registries: string[]): Promise<Map<string, PatientRow>> {
  const trialIds = keys.map((k) => k.split('\u0000')[0]);
  const patientIds = keys.map((k) => k.split('\u0000')[1]);
  // Without a registry, no OR: it would turn the primary-key lookups into a scan of every patient.
  const list = await rows<PatientRow>(tx, registries.length
    ? `select trial_id, patient_id, state, followup, guard from rm_patients
       where (trial_id, patient_id) in (select * from unnest($1::text[], $2::text[])) or registry = any($3::text[])
       order by trial_id, patient_id for update`
    : `select trial_id, patient_id, state, followup, guard from rm_patients
       where (trial_id, patient_id) in (select * from unnest($1::text[], $2::text[]))
       order by trial_id, patient_id for update`, registries.length ? [trialIds, patientIds, registries] : [trialIds, patientIds]);
  return new Map(list.map((r) => [patientKey(r.trial_id, r.patient_id), r]));
}

export async function loadCohort(sql: Sql, trialId: string): Promise<TrialCohort> {
  const list = await rows<{ followup: NonNullable<PatientRow['followup']> }>(sql,
    `select followup from rm_patients where trial_id = $1 and followup is not null`, [trialId]);
  return TrialCohort.of(list.map((r) => observationOf(r.followup)));
}
