import { EntityManager } from 'typeorm';
import {
  CompletenessCorrection,
  EnrollmentEvent,
  ExtractComplete,
  OutcomeEvent,
  RegistryNotification,
  RegistryRecord,
  ReviewDecided,
  isRegistryEvent,
  outcomeKey,
} from '@trial/contracts';
import {
  LinkageEngine,
  LinkageModel,
  PreparedPatient,
  PreparedRecord,
  blockingKeys,
  holdsRegistryNumber,
  preparePatient,
  prepareRecord,
  emptyDecision,
} from '@trial/linkage';
import { PermanentError, deadLetterMessage, mustPark } from '@trial/messaging';
import { OutboxMessage, enqueue, parkDeadLetter } from '@trial/storage';
import { deterministicId, reviewIdOf } from './ids';
import { PatientMirror, mirrorOf } from './mirror';
import { plan, ReviewItem } from './plan';
import { priorFreeWeight } from './priors';
import {
  CountDelta,
  DecisionRow,
  Identity,
  LinkStore,
  RecordRef,
  StoredLink,
  identityOf,
  priorKey,
  randomisationHash,
  refKey,
  seqKey,
  versionContent,
  versionKey,
} from './store';
import { Clerical, targetOf } from './target';

/** What one applied batch did, for logs and tests (counts only: no personal data). */
export interface ApplyStats {
  decided: number;
  events: number;
  suppressed: number;
  duplicates: number;
  /** Decisions by outcome (a record in a trial; `none` a record with no candidate in any trial), for metrics. */
  outcomes: Record<'linked' | 'review' | 'unlinked' | 'none', number>;
}

/** A message of a batch refused (by its index in the batch): the caller dead-letters it. */
export interface Poison {
  index: number;
  error: PermanentError;
}

type Log = (level: 'error' | 'warn' | 'info' | 'debug', msg: string, fields?: Record<string, unknown>) => void;

export interface ApplierOptions {
  /** The in-memory patients to decide with; the process's mirror of the scope by default. */
  mirror?: PatientMirror;
  /** Who this transaction counts for in lk_prior_counts (a topic and partition): one writer per row. */
  writer?: string;
  /**
   * Decide in these trials only, under a share lock on their λ alone (the λ refresh of one
   * trial, which holds that trial's λ rows exclusively). Default: every trial.
   */
  trials?: ReadonlySet<string>;
}

/** A patient as this transaction left it (written, or about to be, in its own transaction). */
interface PatientState {
  identity: Identity;
  withdrawnOn: string | null;
  hash: string | null;
}

const SOURCES = ['ONS', 'NRS'] as const;

/**
 * Applies the three input topics to the linkage state inside one transaction (the caller's,
 * which also advances the consumer checkpoint) and enqueues the resulting outcome events in the
 * outbox of that same transaction: exactly once in effect.
 *
 * One engine: decisions are made in memory by the scope's LinkageEngine (the LinkageIndex and
 * `decidePrepared` of `followup link`), with `{ maxCandidates: 5, ownersElsewhere, prior }`;
 * state and the audit are written back in bulk, one statement per table per batch.
 *
 * Order independence: a record's links are a pure function of its current version, the set of
 * patients sharing a blocking key with it, the model, λ and any clerical decision. Every input
 * that can change one of those re-decides the affected records, so whichever of a patient and
 * a record arrives first, both end in the same place.
 *
 * No lock on the scope. Instead, in this order (the same in every transaction, so waits do not
 * cycle): a share lock on the λ rows (lk_priors); blocking-key locks (LinkStore.lockKeys: shared
 * for records, exclusive for patients), so a record and a patient sharing a key are never
 * decided at once; row locks on the lk_records rows to be (re-)decided; THEN the patient index is
 * brought up to date from Postgres (PatientMirror). Whichever of a record and a patient commits
 * second therefore sees the other: the record's decision sees every committed patient sharing a
 * key, and a patient change finds (lk_records.keys) and re-decides every committed record
 * sharing one. The lk_outcome_seq row locks keep each patient's outcome events in order.
 *
 * A message that can never apply (PermanentError) is found in memory before anything is written
 * and changes nothing: the caller dead-letters only it.
 */
export class LinkageApplier {
  private readonly store: LinkStore;
  private readonly mirror: PatientMirror;
  private readonly writer: string;
  private model: LinkageModel | null = null;
  private priors = new Map<string, number>();
  private shared = false;
  private readonly only: ReadonlySet<string> | null;
  private readonly out: OutboxMessage[] = [];
  /** Patients written by this transaction (not in the mirror until committed). */
  private readonly mine = new Map<string, PatientState & { trialId: string; patientId: string }>();
  /** Patients with an outcome event in this transaction: their two-deaths flag is checked at finish. */
  private readonly touched = new Map<string, { trialId: string; patientId: string }>();
  readonly stats: ApplyStats = { decided: 0, events: 0, suppressed: 0, duplicates: 0, outcomes: { linked: 0, review: 0, unlinked: 0, none: 0 } };

  constructor(
    private readonly tx: EntityManager,
    scope: string,
    private readonly outcomesTopic: string,
    private readonly now: string,
    private readonly log: Log,
    options: ApplierOptions = {},
  ) {
    this.store = new LinkStore(tx, scope);
    this.mirror = options.mirror ?? mirrorOf(scope);
    this.writer = options.writer ?? 'applier';
    this.only = options.trials ?? null;
  }

  /** The active model and a share lock on λ (lk_priors), before any other lock. */
  async begin(): Promise<void> {
    this.model = await this.store.activeModel();
    await this.sharePriors();
  }

  /**
   * Share-locks every λ row of the scope (first call), creating the rows of trials that have
   * none yet; later calls only when the patient index brought a trial without one.
   */
  private async sharePriors(extra: readonly string[] = []): Promise<void> {
    let trials = new Set([...this.mirror.engine.trialIds(), ...[...this.mine.values()].map((p) => p.trialId), ...extra]);
    if (this.only) trials = new Set([...this.only]);
    const needed = [...trials].flatMap((trialId) => SOURCES.map((source) => ({ trialId, source })));
    if (this.shared && needed.every((x) => this.priors.has(priorKey(x.trialId, x.source)))) return;
    const missing = needed.filter((x) => !this.mirror.priorRows.has(priorKey(x.trialId, x.source)));
    this.priors = await this.store.priorsForShare(missing, this.model as LinkageModel, this.only);
    this.shared = true;
    for (const k of this.priors.keys()) this.mirror.priorRows.add(k);
  }

  private priorOf(trialId: string, source: string): number {
    return this.priors.get(priorKey(trialId, source)) ?? (this.model as LinkageModel).prior;
  }

  /** After locks: the patient index as committed now; λ rows for any trial it brought. */
  private async refresh(): Promise<void> {
    await this.mirror.refresh(this.store);
    await this.sharePriors();
  }

  /**
   * Runs one message's effect under a savepoint. A PermanentError undoes only that message and
   * is returned; anything else is thrown. (The batch methods find refusals before writing; this
   * serves callers applying one message at a time.)
   */
  async guarded(run: () => Promise<void>): Promise<PermanentError | null> {
    const mark = this.out.length;
    const stats = { ...this.stats, outcomes: { ...this.stats.outcomes } };
    await this.tx.query('savepoint lk_message');
    try {
      await run();
      await this.tx.query('release savepoint lk_message');
      return null;
    } catch (e) {
      if (!(e instanceof PermanentError)) throw e;
      await this.tx.query('rollback to savepoint lk_message');
      this.out.length = mark;
      Object.assign(this.stats, stats);
      return e;
    }
  }

  /**
   * Sends a message to `<topic>.dlq` through the outbox, in the batch's transaction, built by
   * the same deadLetterMessage as sendToDlq (the original as base64, parked in
   * dead_letter_park in this transaction when too large), so a crash cannot lose it or apply
   * the message as well. The original is the decoded message as JSON.
   */
  async deadLetter(
    origin: { topic: string; partition: number; offset: string; key: string | null },
    value: unknown,
    error: PermanentError,
  ): Promise<void> {
    const letter = { consumer: 'linkage', ...origin, code: error.code, reason: error.message, original: Buffer.from(JSON.stringify(value)) };
    const parkedId = mustPark(letter.original) ? await parkDeadLetter(this.tx, letter, this.now) : null;
    const m = deadLetterMessage(letter, this.now, parkedId);
    this.out.push({ topic: m.topic, key: m.key, value: m.value, headers: m.headers });
  }

  /** Flags two live deaths, numbers and enqueues everything decided; call once at the end of the batch. */
  async finish(): Promise<ApplyStats> {
    await this.flagConflicts();
    await this.sequence();
    await enqueue(this.tx, this.out);
    return this.stats;
  }

  // One message at a time (tests, and callers without batches): a refusal is thrown.
  async enrollment(e: EnrollmentEvent): Promise<void> {
    throwFirst(await this.enrollments([e]));
  }

  async notification(n: RegistryNotification): Promise<void> {
    throwFirst(await this.notifications([n]));
  }

  async review(r: ReviewDecided): Promise<void> {
    throwFirst(await this.reviews([r]));
  }

  /** A batch of enrolment events, in order; returns the refused ones. */
  async enrollments(events: readonly EnrollmentEvent[]): Promise<Poison[]> {
    const poison: Poison[] = [];
    const pairs = new Map<string, { trialId: string; patientId: string }>();
    for (const e of events) {
      if (e.type === 'TrialRegistered' || e.type === 'InterimLookTaken') continue;
      pairs.set(seqKey(e.trialId, e.patientId), { trialId: e.trialId, patientId: e.patientId });
    }
    const state = new Map<string, PatientState>();
    for (const p of await this.store.patients([...pairs.values()])) {
      const { patientId, ...identity } = p.identity;
      state.set(seqKey(p.trialId, patientId), { identity, withdrawnOn: p.withdrawnOn, hash: p.hash });
    }
    for (const [k, p] of this.mine) state.set(k, p);
    // In memory first: what each message does, or why it cannot apply.
    type Op = { trialId: string; patientId: string; next: PatientState; cause: string | null; keys: string[] };
    const ops: Op[] = [];
    const keysOf = (s: PatientState | undefined, patientId: string): string[] =>
      s ? blockingKeys(preparePatient({ ...s.identity, patientId })) : [];
    events.forEach((e, index) => {
      switch (e.type) {
        case 'TrialRegistered':
        case 'InterimLookTaken':
        case 'PatientSeenAlive':
          return; // nothing to link: the follow-up decider reads these from trial.enrollments itself
        case 'PatientRandomised': {
          const k = seqKey(e.trialId, e.patientId);
          const cur = state.get(k);
          const hash = randomisationHash(e);
          if (cur) {
            // The first randomisation stands; a different second one is a fault upstream, not a
            // duplicate to drop without a trace. No identifiers in the reason.
            if (cur.hash !== null && cur.hash !== hash) {
              poison.push({
                index,
                error: new PermanentError(
                  'conflicting-randomisation',
                  `a second PatientRandomised for this patient of trial ${e.trialId} differs from the first (arm, date, site or identity)`,
                ),
              });
            } else this.stats.duplicates++;
            return;
          }
          const next = { identity: identityOf(e), withdrawnOn: null, hash };
          state.set(k, next);
          ops.push({ trialId: e.trialId, patientId: e.patientId, next, cause: 'patient-randomised', keys: keysOf(next, e.patientId) });
          return;
        }
        case 'PatientDetailsCorrected': {
          const k = seqKey(e.trialId, e.patientId);
          const cur = state.get(k);
          if (!cur) {
            poison.push({
              index,
              error: new PermanentError('unknown-patient', `PatientDetailsCorrected for a patient not randomised (${e.trialId})`),
            });
            return;
          }
          const next = { ...cur, identity: { ...cur.identity, ...e.changes } };
          state.set(k, next);
          ops.push({
            trialId: e.trialId,
            patientId: e.patientId,
            next,
            cause: 'patient-corrected',
            keys: [...new Set([...keysOf(cur, e.patientId), ...keysOf(next, e.patientId)])],
          });
          return;
        }
        case 'ConsentWithdrawn': {
          // Kept as a candidate (so their death is not linked to a namesake), but nothing more
          // about them is published: plan() suppresses events for withdrawn patients.
          const k = seqKey(e.trialId, e.patientId);
          const cur = state.get(k);
          if (!cur) {
            poison.push({ index, error: new PermanentError('unknown-patient', `ConsentWithdrawn for a patient not randomised (${e.trialId})`) });
            return;
          }
          const next = { ...cur, withdrawnOn: cur.withdrawnOn !== null && cur.withdrawnOn < e.effectiveOn ? cur.withdrawnOn : e.effectiveOn };
          state.set(k, next);
          ops.push({ trialId: e.trialId, patientId: e.patientId, next, cause: null, keys: keysOf(next, e.patientId) });
          return;
        }
        default: {
          const never: never = e;
          throw new Error(`unhandled enrolment event ${JSON.stringify(never)}`);
        }
      }
    });
    if (!ops.length) return poison;
    // λ rows of new trials exist (and are share-locked) before any other lock is taken.
    await this.sharePriors(ops.map((o) => o.trialId));
    const allKeys = [...new Set(ops.flatMap((o) => o.keys))];
    await this.store.lockKeys(allKeys, 'exclusive');
    const records = await this.store.recordsUnderForUpdate([...new Set(ops.filter((o) => o.cause !== null).flatMap((o) => o.keys))]);
    const links = await this.store.links([...records.values()]);
    await this.refresh();
    const batch = new Batch(this.store);
    const prepared = new Map(
      [...records].map(([k, r]) => {
        const p = prepareRecord(r);
        return [k, { r, p, keys: new Set(blockingKeys(p)) }];
      }),
    );
    const sortedRecords = [...prepared.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    this.withMine((apply) => {
      for (const op of ops) {
        this.mine.set(seqKey(op.trialId, op.patientId), { ...op.next, trialId: op.trialId, patientId: op.patientId });
        apply(op.trialId, op.patientId, op.next);
        if (op.cause === null) continue;
        for (const [, { r, p, keys }] of sortedRecords) {
          if (!op.keys.some((key) => keys.has(key))) continue;
          this.decideRecord(batch, r, p, links, op.cause, new Map(), null, false);
        }
      }
    });
    const last = new Map(ops.map((o) => [seqKey(o.trialId, o.patientId), { trialId: o.trialId, patientId: o.patientId, ...o.next }]));
    await this.store.writePatients([...last.values()].sort((a, b) => (seqKey(a.trialId, a.patientId) < seqKey(b.trialId, b.patientId) ? -1 : 1)));
    await batch.write(this.writer, this.now);
    return poison;
  }

  /** A batch of registry notifications, in order; returns the refused ones. */
  async notifications(ns: readonly RegistryNotification[]): Promise<Poison[]> {
    const poison: Poison[] = [];
    // Registry-wide events, checked in memory; each emitted once per event id.
    const registry = new Map<number, { eventId: string; event: OutcomeEvent }>();
    const recs: Array<{ index: number; r: RegistryRecord }> = [];
    ns.forEach((n, index) => {
      try {
        if (n.kind === 'extract-complete') registry.set(index, this.extractComplete(n));
        else if (n.kind === 'completeness-correction') registry.set(index, this.completenessCorrection(n));
        else recs.push({ index, r: n });
      } catch (e) {
        if (!(e instanceof PermanentError)) throw e;
        poison.push({ index, error: e });
      }
    });
    // Locks first (keys, then the records' rows), then what is stored of them. A version or a
    // link state is only ever written with its record's lk_records row, in one transaction, so
    // a record with no row has neither: the usual notification (a record never seen) costs one
    // lookup, not three.
    const prepared = recs.map(({ index, r }) => {
      const p = prepareRecord(r);
      return { index, r, p, keys: blockingKeys(p) };
    });
    await this.store.lockKeys(
      prepared.flatMap((a) => a.keys),
      'shared',
    );
    const refs = [...new Map(recs.map(({ r }) => [refKey(r), { source: r.source, recordId: r.recordId }])).values()];
    const current = await this.store.currentForUpdate(refs);
    const held = await this.store.heldVersions(recs.filter(({ r }) => current.has(refKey(r))).map((x) => x.r));
    const seen = new Map<string, RegistryRecord>();
    const accepted: Array<{ index: number; r: RegistryRecord; p: PreparedRecord; keys: string[] }> = [];
    for (const a of prepared) {
      const { index, r } = a;
      const k = versionKey(r);
      const before = seen.get(k) ?? held.get(k);
      if (before) {
        // Not dropped without a trace: the first content of a version stands.
        if (versionContent(before) !== versionContent(r)) {
          poison.push({
            index,
            error: new PermanentError(
              'version-reused',
              `${r.source} record ${r.recordId} version ${r.version} was received before with other content`,
            ),
          });
        } else this.stats.duplicates++; // the same version again: ingesting a file twice changes nothing
        continue;
      }
      seen.set(k, r);
      accepted.push(a);
    }
    const applied = new Map<number, { r: RegistryRecord; p: PreparedRecord; keys: string[]; before: RegistryRecord | null }>();
    const latest = new Map(current);
    for (const a of accepted) {
      const before = latest.get(refKey(a.r)) ?? null;
      if (before !== null && before.version >= a.r.version) continue; // an older version arriving late is kept, not applied
      // A literal, not `{ ...a, before }`: V8 builds a spread followed by more properties on a slow
      // runtime path (about 10 µs against under 1 µs, measured here), once a notification.
      applied.set(a.index, { r: a.r, p: a.p, keys: a.keys, before });
      latest.set(refKey(a.r), a.r);
    }
    const links = await this.store.links([...applied.values()].filter((a) => current.has(refKey(a.r))).map((a) => a.r));
    const fresh = await this.store.firstFlags([...registry.values()].map((x) => x.eventId));
    await this.refresh();
    const batch = new Batch(this.store);
    this.withMine(() => {
      ns.forEach((_, index) => {
        const reg = registry.get(index);
        if (reg) {
          if (fresh.delete(reg.eventId)) this.emit(reg.event);
          else this.stats.duplicates++;
          return;
        }
        const a = applied.get(index);
        if (!a) return;
        const source = a.r.source;
        const had = a.before !== null && holdsRegistryNumber(prepareRecord(a.before), source) ? 1 : 0;
        batch.count({
          source,
          trialId: '',
          records: a.before === null ? 1 : 0,
          recordsWithNumber: (holdsRegistryNumber(a.p, source) ? 1 : 0) - had,
          deterministic: 0,
        });
        this.decideRecord(batch, a.r, a.p, links, 'record', new Map(), null, a.before === null);
      });
    });
    await this.store.insertVersions(accepted.map((a) => a.r));
    await this.store.upsertRecords(
      [...applied.values()].map((a) => ({ record: a.r, keys: a.keys })),
      current,
    );
    await batch.write(this.writer, this.now);
    return poison;
  }

  /** A batch of clerical review decisions, in order; returns the refused ones. */
  async reviews(rs: readonly ReviewDecided[]): Promise<Poison[]> {
    const poison: Poison[] = [];
    const items = await this.store.reviews(rs.map((r) => r.reviewId));
    const refs = [...new Map([...items.values()].map((i) => [refKey(i), { source: i.source, recordId: i.recordId }])).values()];
    const records = await this.store.currentForUpdate(refs);
    const links = await this.store.links(refs);
    await this.refresh();
    const batch = new Batch(this.store);
    const decided: Array<{ r: ReviewDecided; patientId: string | null }> = [];
    this.withMine(() => {
      rs.forEach((r, index) => {
        const item = items.get(r.reviewId);
        if (!item) {
          poison.push({ index, error: new PermanentError('unknown-review', `no review ${r.reviewId} in this scope`) });
          return;
        }
        let clerical: Clerical;
        let patientId: string | null = null;
        if (r.decision === 'accept') {
          patientId = r.patientId ?? item.candidates[0]?.patientId ?? null;
          if (patientId === null || this.mirror.engine.patient(item.trialId, patientId) === null) {
            poison.push({
              index,
              error: new PermanentError('unknown-patient', `review ${r.reviewId} accepted for a patient not in trial ${item.trialId}`),
            });
            return;
          }
          clerical = { decision: 'accept', patientId, reviewer: r.reviewer, reviewId: r.reviewId };
        } else {
          clerical = { decision: 'reject', reviewer: r.reviewer, reviewId: r.reviewId };
        }
        decided.push({ r, patientId });
        const record = records.get(refKey(item));
        if (!record) return;
        this.decideRecord(batch, record, prepareRecord(record), links, 'review', new Map([[item.trialId, clerical]]), null, false);
      });
    });
    for (const { r, patientId } of decided) await this.store.decideReview(r.reviewId, r.decision, patientId, r.reviewer, r.note, r.occurredAt);
    await batch.write(this.writer, this.now);
    return poison;
  }

  /**
   * Re-decides stored records in the given trials only, with the λ now in force: what the λ
   * refresh (priors.ts) does for the records a change of λ can move.
   */
  async redecide(refs: readonly RecordRef[], cause: string): Promise<void> {
    const trials = this.only ?? new Set(this.mirror.engine.trialIds());
    const records = await this.store.currentForUpdate(refs);
    const links = await this.store.links(refs);
    await this.refresh();
    const batch = new Batch(this.store);
    const sorted = [...records.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    this.withMine(() => {
      for (const [, r] of sorted) this.decideRecord(batch, r, prepareRecord(r), links, cause, new Map(), trials, false);
    });
    await batch.write(this.writer, this.now);
  }

  /**
   * Runs `fn` with this transaction's own patient writes in the engine, then puts the engine
   * back as committed, synchronously: no other transaction of this process ever decides with
   * patients that may yet roll back.
   */
  private withMine(fn: (apply: (trialId: string, patientId: string, p: PatientState) => void) => void): void {
    const engine = this.mirror.engine;
    const saved = new Map<string, { trialId: string; patientId: string; was: ReturnType<LinkageEngine['patient']> }>();
    const apply = (trialId: string, patientId: string, p: PatientState): void => {
      const k = seqKey(trialId, patientId);
      if (!saved.has(k)) saved.set(k, { trialId, patientId, was: engine.patient(trialId, patientId) });
      engine.upsertPatient(trialId, { ...p.identity, patientId }, p.withdrawnOn);
    };
    try {
      for (const p of this.mine.values()) apply(p.trialId, p.patientId, p);
      fn(apply);
    } finally {
      for (const { trialId, patientId, was } of saved.values()) {
        if (was) engine.upsertPatient(trialId, was.identity, was.withdrawnOn);
        else engine.removePatient(trialId, patientId);
      }
    }
  }

  /**
   * Decides one record in every trial where it has a candidate or a link state (or only in
   * `only`), plans the outcome events from where it stood, and queues the writes. Updates
   * `links` so a later decision in the batch starts from this one. Synchronous (see withMine).
   */
  private decideRecord(
    batch: Batch,
    record: RegistryRecord,
    prepared: PreparedRecord,
    links: Map<string, Map<string, StoredLink>>,
    cause: string,
    clericalNow: ReadonlyMap<string, Clerical>,
    only: ReadonlySet<string> | null,
    firstVersion: boolean,
  ): void {
    const model = this.model as LinkageModel;
    const engine = this.mirror.engine;
    const rk = refKey(record);
    const prevLinks = links.get(rk) ?? new Map<string, StoredLink>();
    const keys = blockingKeys(prepared);
    // Every decision, unlinked ones too, keeps its best candidates (up to 5) for the audit.
    const decisions = engine.decide(prepared, model, (t) => this.priorOf(t, record.source), {
      keys,
      alsoIn: prevLinks.keys(),
      only: only ?? undefined,
    });
    if (decisions.length === 0 && only === null) {
      // No candidate in any trial: still audited, under no trial.
      const d = targetOf(prepared, emptyDecision(model, model.prior), model, null, null);
      batch.decisions.push({ record, trialId: '', audit: d.audit, cause });
      this.stats.outcomes.none++;
      return;
    }
    const next = new Map(prevLinks);
    for (const { trialId, decision, deterministic } of decisions) {
      const prev = prevLinks.get(trialId) ?? null;
      const clerical = clericalNow.get(trialId) ?? prev?.clerical ?? null;
      const accepted = clerical?.decision === 'accept' ? this.candidate(trialId, clerical.patientId, keys) : null;
      const { target, audit } = targetOf(prepared, decision, model, clerical, accepted);
      const withdrawn = new Set<string>();
      for (const id of [
        target.status === 'linked' ? target.patientId : target.status === 'review' ? target.bestPatientId : null,
        prev?.emitted?.patientId ?? null,
      ]) {
        if (id !== null && engine.patient(trialId, id)?.withdrawnOn) withdrawn.add(id);
      }
      const p = plan({
        trialId,
        record,
        target,
        prev,
        clerical,
        withdrawn,
        occurredAt: this.now,
        // Derived (a hash) only where plan() uses it: a review.
        reviewId: target.status === 'review' ? reviewIdOf(this.store.scope, record.source, record.recordId, record.version, trialId) : '',
      });
      this.stats.decided++;
      this.stats.outcomes[target.status]++;
      batch.decisions.push({ record, trialId, audit, cause });
      const w = clerical === null ? priorFreeWeight(decision, model) : null;
      if (w !== null || !firstVersion) batch.weights.push({ trialId, source: record.source, recordId: record.recordId, weight: w });
      const wasDeterministic = prev?.deterministic ?? false;
      if (deterministic !== wasDeterministic)
        batch.count({ source: record.source, trialId, records: 0, recordsWithNumber: 0, deterministic: deterministic ? 1 : -1 });
      if (prev === null && target.status === 'unlinked') continue; // never linked here: no state to keep
      const n = p.next; // a literal, not a spread (see notifications)
      const state: StoredLink = {
        status: n.status,
        patientId: n.patientId,
        version: n.version,
        reviewId: n.reviewId,
        emitted: n.emitted,
        seq: n.seq,
        clerical: n.clerical,
        deterministic,
      };
      next.set(trialId, state);
      batch.links.push({ ref: { source: record.source, recordId: record.recordId }, trialId, state });
      if (p.openReview) batch.open.push({ record, trialId, item: p.openReview });
      if (p.closeReview) batch.open.push({ record, trialId, close: p.closeReview });
      for (const e of p.events) this.emit(e);
      this.stats.suppressed += p.suppressed.length;
      if (p.suppressed.length) this.log('info', 'outcome suppressed: consent withdrawn', { trialId, types: p.suppressed.map((e) => e.type) });
      for (const e of [...p.events, ...p.suppressed])
        if ('patientId' in e) this.touched.set(seqKey(trialId, e.patientId), { trialId, patientId: e.patientId });
    }
    links.set(rk, next);
  }

  /** The patient a clerical accept names, when blocking still finds them (they share a key with the record). */
  private candidate(trialId: string, patientId: string, keys: readonly string[]): PreparedPatient | null {
    const p = this.mirror.engine.patient(trialId, patientId);
    if (!p) return null;
    const theirs = new Set(blockingKeys(p.prepared));
    return keys.some((k) => theirs.has(k)) ? p.prepared : null;
  }

  /**
   * Two live death registrations for one patient: the earliest counts (the follow-up decider
   * picks it); flag the conflict once per set. The patients' lk_outcome_seq rows are locked
   * first, so two transactions linking deaths to one patient check one after the other and
   * the second sees both.
   */
  private async flagConflicts(): Promise<void> {
    const pairs = [...this.touched.values()].filter((p) => {
      const mine = this.mine.get(seqKey(p.trialId, p.patientId));
      const withdrawnOn = mine ? mine.withdrawnOn : (this.mirror.engine.patient(p.trialId, p.patientId)?.withdrawnOn ?? null);
      return withdrawnOn === null;
    });
    if (!pairs.length) return;
    await this.store.takeSeqs(pairs.map((p) => ({ ...p, n: 0 })));
    const deaths = await this.store.liveDeaths(pairs);
    const flags: OutcomeEvent[] = [];
    for (const { trialId, patientId } of pairs) {
      const ds = deaths.get(seqKey(trialId, patientId)) ?? [];
      if (ds.length < 2) continue;
      const [first, ...others] = ds;
      const eventId = deterministicId('DeathConflictFlagged', trialId, patientId, ...ds.map((d) => `${d.source}:${d.recordId}:${d.version}`));
      flags.push({
        v: 1,
        type: 'DeathConflictFlagged',
        eventId,
        trialId,
        patientId,
        occurredAt: this.now,
        source: first.source as RegistryRecord['source'],
        recordId: first.recordId,
        version: first.version,
        otherRecordIds: others.map((d) => d.recordId),
      });
    }
    const fresh = await this.store.firstFlags(flags.map((f) => f.eventId));
    for (const f of flags) if (fresh.has(f.eventId)) this.emit(f);
  }

  /**
   * Gives each patient outcome event its `seq` on the patient's stream, in the order decided
   * (the projector refuses one that goes back). In the batch's transaction, before enqueue: see
   * LinkStore.takeSeqs for why that order matters.
   */
  private async sequence(): Promise<void> {
    const events = this.out.filter((m) => m.topic === this.outcomesTopic).map((m) => m.value as OutcomeEvent);
    const counts = new Map<string, { trialId: string; patientId: string; n: number }>();
    for (const e of events) {
      if (isRegistryEvent(e)) continue;
      const k = seqKey(e.trialId, e.patientId);
      const c = counts.get(k) ?? { trialId: e.trialId, patientId: e.patientId, n: 0 };
      c.n++;
      counts.set(k, c);
    }
    const next = await this.store.takeSeqs([...counts.values()]);
    for (const e of events) {
      if (isRegistryEvent(e)) continue;
      const k = seqKey(e.trialId, e.patientId);
      const seq = next.get(k) as number;
      e.seq = seq;
      next.set(k, seq + 1);
    }
  }

  /**
   * A registry's completeness moves only forward, so a `completeUpTo` after the day the extract
   * was taken, or after today (this service's clock), would censor every patient there for good
   * (one 2099-12-31 rewrote every trial). Ingest refuses those; this refuses one
   * published by hand too: to the DLQ, with the reason. A wrong date that is not in the future
   * is undone by a completeness-correction.
   */
  private extractComplete(n: ExtractComplete): { eventId: string; event: OutcomeEvent } {
    const today = this.now.slice(0, 10);
    if (n.extractedOn !== undefined && n.completeUpTo > n.extractedOn) {
      throw new PermanentError(
        'complete-up-to-after-extract',
        `completeUpTo ${n.completeUpTo} is after the extract date ${n.extractedOn} (${n.source})`,
      );
    }
    if (n.completeUpTo > today) {
      throw new PermanentError('complete-up-to-in-future', `completeUpTo ${n.completeUpTo} is after today (${today}) (${n.source})`);
    }
    const eventId = deterministicId('RegistryExtractCompleted', n.source, n.completeUpTo);
    return {
      eventId,
      event: { v: 1, type: 'RegistryExtractCompleted', eventId, occurredAt: this.now, source: n.source, completeUpTo: n.completeUpTo },
    };
  }

  /** An audited completeness correction becomes RegistryCompletenessCorrected, once per correctionId. */
  private completenessCorrection(n: CompletenessCorrection): { eventId: string; event: OutcomeEvent } {
    const today = this.now.slice(0, 10);
    if (n.completeUpTo > today) {
      throw new PermanentError(
        'complete-up-to-in-future',
        `completeness correction ${n.correctionId}: completeUpTo ${n.completeUpTo} is after today (${today})`,
      );
    }
    const eventId = deterministicId('RegistryCompletenessCorrected', n.source, n.correctionId);
    return {
      eventId,
      event: {
        v: 1,
        type: 'RegistryCompletenessCorrected',
        eventId,
        occurredAt: this.now,
        source: n.source,
        completeUpTo: n.completeUpTo,
        reason: n.reason,
        correctedBy: n.correctedBy,
      },
    };
  }

  private emit(e: OutcomeEvent): void {
    this.stats.events++;
    this.out.push({ topic: this.outcomesTopic, key: outcomeKey(e), value: e });
  }
}

/** A batch's writes, queued in memory while deciding and written in bulk at the end. */
class Batch {
  readonly decisions: DecisionRow[] = [];
  readonly links: Array<{ ref: RecordRef; trialId: string; state: StoredLink }> = [];
  /** Review items opened or closed, in the order decided. */
  readonly open: Array<{ record: RegistryRecord; trialId: string; item: ReviewItem } | { record: RegistryRecord; trialId: string; close: string }> =
    [];
  readonly weights: Array<{ trialId: string; source: string; recordId: string; weight: number | null }> = [];
  private readonly deltas: CountDelta[] = [];

  constructor(private readonly store: LinkStore) {}

  count(d: CountDelta): void {
    this.deltas.push(d);
  }

  async write(writer: string, at: string): Promise<void> {
    await this.store.saveLinks(this.links);
    await this.store.logDecisions(this.decisions, at);
    // Per review id, the last of open and close wins: an item opened then closed in one batch
    // is written open, then superseded.
    const last = new Map<string, 'open' | 'close'>();
    for (const o of this.open) last.set('item' in o ? o.item.reviewId : o.close, 'item' in o ? 'open' : 'close');
    const opened = this.open.filter((o): o is { record: RegistryRecord; trialId: string; item: ReviewItem } => 'item' in o);
    await this.store.openReviews(opened, at);
    await this.store.closeReviews([...last].filter(([, op]) => op === 'close').map(([id]) => id));
    await this.store.setPriorWeights(this.weights);
    await this.store.addCounts(writer, this.deltas);
  }
}

function throwFirst(poison: Poison[]): void {
  if (poison.length) throw poison[0].error;
}
