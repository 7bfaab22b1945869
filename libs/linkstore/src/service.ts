import { EntityManager } from 'typeorm';
import {
  CompletenessCorrection, EnrollmentEvent, ExtractComplete, OutcomeEvent, RegistryNotification, RegistryRecord, ReviewDecided, isRegistryEvent, outcomeKey,
} from '@trial/contracts';
import { LinkageModel, PreparedPatient, preparePatient, prepareRecord } from '@trial/linkage';
import { PermanentError, deadLetterMessage, mustPark } from '@trial/messaging';
import { OutboxMessage, enqueue, parkDeadLetter } from '@trial/storage';
import { deterministicId, reviewIdOf } from './ids';
import { plan } from './plan';
import { LinkStore, RecordRef, StoredPatient, identityOf, randomisationHash, seqKey } from './store';
import { Clerical, ownersElsewhere, targetFor } from './target';

/** What one applied batch did, for logs and tests (counts only: no personal data). */
export interface ApplyStats {
  decided: number;
  events: number;
  suppressed: number;
  duplicates: number;
}

type Log = (level: 'error' | 'warn' | 'info' | 'debug', msg: string, fields?: Record<string, unknown>) => void;

/**
 * Applies the three input topics to the linkage state inside one transaction (the caller's,
 * which also advances the consumer checkpoint) and enqueues the resulting outcome events in the
 * outbox of that same transaction: exactly once in effect.
 *
 * Order independence: a record's links are a pure function of its current version, the set of
 * patients sharing a blocking key with it, the model and any clerical decision. Every input
 * that can change one of those re-decides the affected records, so whichever of a patient and
 * a record arrives first, both end in the same place.
 */
export class LinkageApplier {
  private readonly store: LinkStore;
  private model: LinkageModel | null = null;
  private readonly out: OutboxMessage[] = [];
  readonly stats: ApplyStats = { decided: 0, events: 0, suppressed: 0, duplicates: 0 };

  constructor(private readonly tx: EntityManager, scope: string, private readonly outcomesTopic: string,
    private readonly now: string, private readonly log: Log) {
    this.store = new LinkStore(tx, scope);
  }

  async begin(): Promise<void> {
    await this.store.lock();
    this.model = await this.store.activeModel();
  }

  /**
   * Runs one message's effect under a savepoint. A PermanentError (a message that can never
   * apply, e.g. a review decision for an unknown review) undoes only that message and is
   * returned; the caller dead-letters it and the batch carries on. Anything else is thrown.
   */
  async guarded(run: () => Promise<void>): Promise<PermanentError | null> {
    const mark = this.out.length;
    const stats = { ...this.stats };
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
  async deadLetter(origin: { topic: string; partition: number; offset: string; key: string | null }, value: unknown, error: PermanentError): Promise<void> {
    const letter = { consumer: 'linkage', ...origin, code: error.code, reason: error.message, original: Buffer.from(JSON.stringify(value)) };
    const parkedId = mustPark(letter.original) ? await parkDeadLetter(this.tx, letter, this.now) : null;
    const m = deadLetterMessage(letter, this.now, parkedId);
    this.out.push({ topic: m.topic, key: m.key, value: m.value });
  }

  /** Numbers and enqueues everything decided; call once at the end of the batch. */
  async finish(): Promise<ApplyStats> {
    await this.sequence();
    await enqueue(this.tx, this.out);
    return this.stats;
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

  async enrollment(e: EnrollmentEvent): Promise<void> {
    switch (e.type) {
      case 'TrialRegistered':
      case 'PatientSeenAlive':
        return; // nothing to link: the follow-up decider reads these from trial.enrollments itself
      case 'PatientRandomised': {
        const identity = identityOf(e);
        const stored = await this.store.insertPatient(e.trialId, e.patientId, identity, randomisationHash(e));
        if (stored === 'conflict') {
          // The first randomisation stands; a different second one is a fault upstream, not a
          // duplicate to drop without a trace (issue 10, item 7). No identifiers in the reason.
          throw new PermanentError('conflicting-randomisation',
            `a second PatientRandomised for this patient of trial ${e.trialId} differs from the first (arm, date, site or identity)`);
        }
        if (stored === 'duplicate') {
          this.stats.duplicates++;
          return; // the same randomisation again
        }
        const keys = await this.store.setPatientKeys(e.trialId, e.patientId, { ...identity, patientId: e.patientId });
        await this.redecide(await this.store.recordsUnder(keys), 'patient-randomised');
        return;
      }
      case 'PatientDetailsCorrected': {
        const p = await this.store.patient(e.trialId, e.patientId);
        if (p === null) throw new PermanentError('unknown-patient', `PatientDetailsCorrected for a patient not randomised (${e.trialId})`);
        const { patientId, ...rest } = p.identity;
        const identity = { ...rest, ...e.changes };
        await this.store.updateIdentity(e.trialId, e.patientId, identity);
        const keys = await this.store.setPatientKeys(e.trialId, e.patientId, { ...identity, patientId });
        await this.redecide(await this.store.recordsUnder(keys), 'patient-corrected');
        return;
      }
      case 'ConsentWithdrawn':
        // Kept as a candidate (so their death is not linked to a namesake), but nothing more
        // about them is published: plan() suppresses events for withdrawn patients.
        if (!(await this.store.withdraw(e.trialId, e.patientId, e.effectiveOn))) {
          throw new PermanentError('unknown-patient', `ConsentWithdrawn for a patient not randomised (${e.trialId})`);
        }
        return;
      default: {
        const never: never = e;
        throw new Error(`unhandled enrolment event ${JSON.stringify(never)}`);
      }
    }
  }

  async notification(n: RegistryNotification): Promise<void> {
    if (n.kind === 'extract-complete') return this.extractComplete(n);
    if (n.kind === 'completeness-correction') return this.completenessCorrection(n);
    const stored = await this.store.storeVersion(n);
    if (stored === 'conflict') {
      // Not dropped without a trace (issue 10, item 7): the first content of a version stands.
      throw new PermanentError('version-reused', `${n.source} record ${n.recordId} version ${n.version} was received before with other content`);
    }
    if (stored === 'duplicate') {
      this.stats.duplicates++;
      return; // the same version again: ingesting a file twice changes nothing
    }
    if (!(await this.store.makeCurrent(n))) return; // an older version arriving late is kept, not applied
    await this.redecide([{ source: n.source, recordId: n.recordId }], 'record');
  }

  async review(r: ReviewDecided): Promise<void> {
    const item = await this.store.review(r.reviewId);
    if (item === null) throw new PermanentError('unknown-review', `no review ${r.reviewId} in this scope`);
    let clerical: Clerical;
    let patientId: string | null = null;
    if (r.decision === 'accept') {
      patientId = r.patientId ?? item.candidates[0]?.patientId ?? null;
      if (patientId === null || (await this.store.patient(item.trialId, patientId)) === null) {
        throw new PermanentError('unknown-patient', `review ${r.reviewId} accepted for a patient not in trial ${item.trialId}`);
      }
      clerical = { decision: 'accept', patientId, reviewer: r.reviewer, reviewId: r.reviewId };
    } else {
      clerical = { decision: 'reject', reviewer: r.reviewer, reviewId: r.reviewId };
    }
    await this.store.decideReview(r.reviewId, r.decision, patientId, r.reviewer, r.note, r.occurredAt);
    const ref = { source: item.source, recordId: item.recordId };
    await this.redecide([ref], 'review', new Map([[item.trialId, clerical]]));
  }

  /**
   * A registry's completeness moves only forward, so a `completeUpTo` after the day the extract
   * was taken, or after today (this service's clock), would censor every patient there for good
   * (issue 10: one 2099-12-31 rewrote every trial). Ingest refuses those; this refuses one
   * published by hand too: to the DLQ, with the reason. A wrong date that is not in the future
   * is undone by a completeness-correction.
   */
  private async extractComplete(n: ExtractComplete): Promise<void> {
    const today = this.now.slice(0, 10);
    if (n.extractedOn !== undefined && n.completeUpTo > n.extractedOn) {
      throw new PermanentError('complete-up-to-after-extract', `completeUpTo ${n.completeUpTo} is after the extract date ${n.extractedOn} (${n.source})`);
    }
    if (n.completeUpTo > today) {
      throw new PermanentError('complete-up-to-in-future', `completeUpTo ${n.completeUpTo} is after today (${today}) (${n.source})`);
    }
    const eventId = deterministicId('RegistryExtractCompleted', n.source, n.completeUpTo);
    if (!(await this.store.firstFlag(eventId))) {
      this.stats.duplicates++;
      return;
    }
    this.emit({ v: 1, type: 'RegistryExtractCompleted', eventId, occurredAt: this.now, source: n.source, completeUpTo: n.completeUpTo });
  }

  /** An audited completeness correction becomes RegistryCompletenessCorrected, once per correctionId. */
  private async completenessCorrection(n: CompletenessCorrection): Promise<void> {
    const today = this.now.slice(0, 10);
    if (n.completeUpTo > today) {
      throw new PermanentError('complete-up-to-in-future', `completeness correction ${n.correctionId}: completeUpTo ${n.completeUpTo} is after today (${today})`);
    }
    const eventId = deterministicId('RegistryCompletenessCorrected', n.source, n.correctionId);
    if (!(await this.store.firstFlag(eventId))) {
      this.stats.duplicates++;
      return;
    }
    this.emit({
      v: 1, type: 'RegistryCompletenessCorrected', eventId, occurredAt: this.now, source: n.source, completeUpTo: n.completeUpTo,
      reason: n.reason, correctedBy: n.correctedBy,
    });
  }

  /**
   * Re-decides records in every trial that has a candidate or a previous link state. Every
   * trial is re-decided, not only the one whose patient changed: a deterministic match in one
   * trial is evidence against a look-alike in another (ownersElsewhere).
   */
  private async redecide(refs: RecordRef[], cause: string, clericalNow = new Map<string, Clerical>()): Promise<void> {
    const model = this.model as LinkageModel;
    for (const ref of refs) {
      const record = await this.store.currentRecord(ref);
      if (record === null) continue;
      const prepared = prepareRecord(record);
      const byTrial = groupByTrial(await this.store.candidates(record));
      const links = await this.store.links(ref);
      const trials = [...new Set([...byTrial.keys(), ...links.keys()])].sort();
      if (trials.length === 0) {
        // No candidate in any trial: still audited, under no trial.
        await this.store.logDecision(record, '', targetFor(prepared, [], model, null).audit, cause, this.now);
        continue;
      }
      const preparedByTrial = new Map([...byTrial].map(([t, ps]) => [t, ps.map((p): PreparedPatient => preparePatient(p.identity))]));
      const elsewhere = ownersElsewhere(prepared, preparedByTrial, trials);
      const touched = new Set<string>();
      for (const trialId of trials) {
        const prev = links.get(trialId) ?? null;
        const clerical = clericalNow.get(trialId) ?? prev?.clerical ?? null;
        const patients = byTrial.get(trialId) ?? [];
        const { target, audit } = targetFor(prepared, preparedByTrial.get(trialId) ?? [], model, clerical, elsewhere.get(trialId) ?? []);
        const withdrawn = new Set(patients.filter((p) => p.withdrawnOn !== null).map((p) => p.patientId));
        // A patient who left the candidate set (corrected away) may still hold the old link.
        if (prev?.emitted && !patients.some((p) => p.patientId === prev.emitted?.patientId)) {
          const old = await this.store.patient(trialId, prev.emitted.patientId);
          if (old?.withdrawnOn) withdrawn.add(old.patientId);
        }
        const p = plan({
          trialId, record, target, prev, clerical, withdrawn, occurredAt: this.now,
          reviewId: reviewIdOf(this.store.scope, record.source, record.recordId, record.version, trialId),
        });
        this.stats.decided++;
        await this.store.logDecision(record, trialId, audit, cause, this.now);
        if (prev === null && target.status === 'unlinked') continue; // never linked here: no state to keep
        await this.store.saveLink(ref, trialId, p.next);
        if (p.openReview) await this.store.openReview(record, trialId, p.openReview, this.now);
        if (p.closeReview) await this.store.closeReview(p.closeReview);
        for (const e of p.events) this.emit(e);
        this.stats.suppressed += p.suppressed.length;
        if (p.suppressed.length) this.log('info', 'outcome suppressed: consent withdrawn', { trialId, types: p.suppressed.map((e) => e.type) });
        for (const e of [...p.events, ...p.suppressed]) if ('patientId' in e) touched.add(`${trialId}\u0000${e.patientId}`);
      }
      for (const t of touched) {
        const [trialId, patientId] = t.split('\u0000');
        await this.flagConflict(trialId, patientId, withdrawnOf(await this.store.patient(trialId, patientId)));
      }
    }
  }

  /** Two live death registrations for one patient: the earliest counts (the follow-up decider picks it); flag the conflict once per set. */
  private async flagConflict(trialId: string, patientId: string, withdrawn: boolean): Promise<void> {
    const deaths = await this.store.liveDeaths(trialId, patientId);
    if (deaths.length < 2 || withdrawn) return;
    const [first, ...others] = deaths;
    const eventId = deterministicId('DeathConflictFlagged', trialId, patientId, ...deaths.map((d) => `${d.source}:${d.recordId}:${d.version}`));
    if (!(await this.store.firstFlag(eventId))) return;
    this.emit({
      v: 1, type: 'DeathConflictFlagged', eventId, trialId, patientId, occurredAt: this.now,
      source: first.source as RegistryRecord['source'], recordId: first.recordId, version: first.version,
      otherRecordIds: others.map((d) => d.recordId),
    });
  }

  private emit(e: OutcomeEvent): void {
    this.stats.events++;
    this.out.push({ topic: this.outcomesTopic, key: outcomeKey(e), value: e });
  }
}

function withdrawnOf(p: StoredPatient | null): boolean {
  return p?.withdrawnOn != null;
}

function groupByTrial(patients: StoredPatient[]): Map<string, StoredPatient[]> {
  const m = new Map<string, StoredPatient[]>();
  for (const p of patients) {
    const list = m.get(p.trialId) ?? [];
    list.push(p);
    m.set(p.trialId, list);
  }
  return m;
}
