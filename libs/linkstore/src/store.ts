import { EntityManager } from 'typeorm';
import { PatientRandomised, RegistryRecord, contentHash } from '@trial/contracts';
import { LinkageModel, PatientIdentity, blockingKeys, defaultModel, parseModel, preparePatient, prepareRecord } from '@trial/linkage';
import { DecisionRecord } from './target';
import { LinkState, ReviewItem } from './plan';

/**
 * Postgres access for the linkage service, all inside the caller's transaction and scope.
 * Blocking keys live in tables (lk_patient_keys, lk_record_keys) rather than in memory, so the
 * candidate set is transactional, survives restarts and is the same for every instance.
 */
export type Identity = Omit<PatientIdentity, 'patientId'>;

export interface StoredPatient {
  trialId: string;
  patientId: string;
  identity: PatientIdentity;
  withdrawnOn: string | null;
}

export interface RecordRef {
  source: string;
  recordId: string;
}

/** A patient's key in takeSeqs' result (NUL cannot occur in an id). */
export const seqKey = (trialId: string, patientId: string): string => `${trialId}\u0000${patientId}`;

/**
 * The content of a randomisation that must agree for a second copy to be a duplicate: arm,
 * date, site and identity (everything but the event id, which a resending producer may renew).
 */
export function randomisationHash(e: PatientRandomised): string {
  return contentHash({ ...e, eventId: undefined });
}

export function identityOf(e: PatientRandomised): Identity {
  return {
    randomisedOn: e.randomisedOn, nhsNumber: e.nhsNumber, chiNumber: e.chiNumber, dateOfBirth: e.dateOfBirth,
    sex: e.sex, familyName: e.familyName, givenNames: e.givenNames, postcode: e.postcode,
  };
}

/**
 * TypeORM returns `[rows, affected]` for UPDATE and DELETE but bare rows for SELECT and
 * INSERT; this gives the rows either way.
 */
async function rowsOf<T>(tx: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const r = (await tx.query(sql, params)) as unknown;
  if (Array.isArray(r) && r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number') return r[0] as T[];
  return r as T[];
}

export class LinkStore {
  constructor(private readonly tx: EntityManager, readonly scope: string) {}

  /** Serialises writers of one scope, so two instances never decide the same record at once. */
  async lock(): Promise<void> {
    await this.tx.query('select pg_advisory_xact_lock(hashtext($1))', [`linkage:${this.scope}`]);
  }

  /** The newest active model; the packaged default is stored as the first version. */
  async activeModel(): Promise<LinkageModel> {
    const rows = (await this.tx.query(`select model from lk_models where active order by created_at desc, version desc limit 1`)) as Array<{ model: unknown }>;
    if (rows.length) {
      const parsed = parseModel(JSON.stringify(rows[0].model));
      if (!parsed.ok) throw new Error(`stored linkage model is invalid: ${parsed.reason}`);
      return parsed.model;
    }
    await this.tx.query(`insert into lk_models (version, model) values ($1, $2) on conflict do nothing`, [defaultModel.version, JSON.stringify(defaultModel)]);
    return defaultModel;
  }

  async patient(trialId: string, patientId: string): Promise<StoredPatient | null> {
    const rows = (await this.tx.query(
      `select identity, withdrawn_on::text as "withdrawnOn" from lk_patients where scope = $1 and trial_id = $2 and patient_id = $3`,
      [this.scope, trialId, patientId])) as Array<{ identity: Identity; withdrawnOn: string | null }>;
    return rows.length ? { trialId, patientId, identity: { ...rows[0].identity, patientId }, withdrawnOn: rows[0].withdrawnOn } : null;
  }

  /**
   * Stores a patient (insert only: the first randomisation stands). `hash` is the
   * randomisation's content (randomisationHash): a second one with the same content is a
   * duplicate, with other content a conflict. A row stored before hashes were kept (null) takes
   * any second randomisation as a duplicate, as it always did.
   */
  async insertPatient(trialId: string, patientId: string, identity: Identity, hash: string): Promise<'inserted' | 'duplicate' | 'conflict'> {
    // The outer select reads the statement's snapshot: the row held before, not the one inserted.
    const [r] = (await this.tx.query(
      `with ins as (
         insert into lk_patients (scope, trial_id, patient_id, identity, randomised_on, randomisation_hash) values ($1, $2, $3, $4, $5, $6)
         on conflict do nothing returning patient_id)
       select (select count(*) from ins)::int as inserted,
         (select randomisation_hash from lk_patients where scope = $1 and trial_id = $2 and patient_id = $3) as held`,
      [this.scope, trialId, patientId, JSON.stringify(identity), identity.randomisedOn, hash])) as Array<{ inserted: number; held: string | null }>;
    if (r.inserted === 1) return 'inserted';
    return r.held === null || r.held === hash ? 'duplicate' : 'conflict';
  }

  /**
   * Takes the next `n` outcome sequence numbers of each patient; returns the first of each.
   * The row lock this takes is held to commit, so two transactions emitting for one patient
   * allocate (and then enqueue, hence get outbox ids) one after the other: the commit-order
   * property the outbox relay's per-key order relies on, even without the scope lock.
   */
  async takeSeqs(counts: ReadonlyArray<{ trialId: string; patientId: string; n: number }>): Promise<Map<string, number>> {
    if (!counts.length) return new Map();
    const rows = (await this.tx.query(
      `insert into lk_outcome_seq (scope, trial_id, patient_id, seq)
       select $1, t, p, n from unnest($2::text[], $3::text[], $4::int[]) as x(t, p, n) order by t, p
       on conflict (scope, trial_id, patient_id) do update set seq = lk_outcome_seq.seq + excluded.seq
       returning trial_id as "trialId", patient_id as "patientId", seq`,
      [this.scope, counts.map((c) => c.trialId), counts.map((c) => c.patientId), counts.map((c) => c.n)])) as Array<{ trialId: string; patientId: string; seq: string }>;
    const n = new Map(counts.map((c) => [seqKey(c.trialId, c.patientId), c.n]));
    return new Map(rows.map((r) => {
      const k = seqKey(r.trialId, r.patientId);
      return [k, Number(r.seq) - (n.get(k) as number) + 1];
    }));
  }

  async updateIdentity(trialId: string, patientId: string, identity: Identity): Promise<void> {
    await this.tx.query(`update lk_patients set identity = $4 where scope = $1 and trial_id = $2 and patient_id = $3`,
      [this.scope, trialId, patientId, JSON.stringify(identity)]);
  }

  async withdraw(trialId: string, patientId: string, effectiveOn: string): Promise<boolean> {
    const rows = await rowsOf(this.tx,
      `update lk_patients set withdrawn_on = least(coalesce(withdrawn_on, $4::date), $4::date)
       where scope = $1 and trial_id = $2 and patient_id = $3 returning patient_id`,
      [this.scope, trialId, patientId, effectiveOn]);
    return rows.length === 1;
  }

  /** Replaces a patient's blocking keys; returns the old and new keys together. */
  async setPatientKeys(trialId: string, patientId: string, identity: PatientIdentity): Promise<string[]> {
    const old = await rowsOf<{ key: string }>(this.tx,
      `delete from lk_patient_keys where scope = $1 and trial_id = $2 and patient_id = $3 returning key`,
      [this.scope, trialId, patientId]);
    const keys = blockingKeys(preparePatient(identity));
    if (keys.length) {
      await this.tx.query(
        `insert into lk_patient_keys (scope, key, trial_id, patient_id) select $1, k, $3, $4 from unnest($2::text[]) k on conflict do nothing`,
        [this.scope, keys, trialId, patientId]);
    }
    return [...new Set([...old.map((o) => o.key), ...keys])];
  }

  /** Stored records sharing any of `keys`, in a stable order. */
  async recordsUnder(keys: string[]): Promise<RecordRef[]> {
    if (!keys.length) return [];
    return (await this.tx.query(
      `select distinct source, record_id as "recordId" from lk_record_keys where scope = $1 and key = any($2::text[]) order by 1, 2`,
      [this.scope, keys])) as RecordRef[];
  }

  /** Patients sharing a blocking key with the record, in every trial. */
  async candidates(record: RegistryRecord): Promise<StoredPatient[]> {
    const keys = blockingKeys(prepareRecord(record));
    if (!keys.length) return [];
    const rows = (await this.tx.query(
      `select p.trial_id as "trialId", p.patient_id as "patientId", p.identity, p.withdrawn_on::text as "withdrawnOn"
       from lk_patients p where p.scope = $1 and (p.trial_id, p.patient_id) in
         (select trial_id, patient_id from lk_patient_keys where scope = $1 and key = any($2::text[]))
       order by 1, 2`, [this.scope, keys])) as Array<{ trialId: string; patientId: string; identity: Identity; withdrawnOn: string | null }>;
    return rows.map((r) => ({ trialId: r.trialId, patientId: r.patientId, identity: { ...r.identity, patientId: r.patientId }, withdrawnOn: r.withdrawnOn }));
  }

  /**
   * Keeps the version. 'duplicate' if this version was already stored with the same content (a
   * duplicate delivery or ingest), 'conflict' if with other content: a version is the registry's
   * name for one content (issue 10, item 7). `extractedOn` is not content: the same file ingested
   * on another day carries another extract date. Nor is `identifierWarnings`: it is what one
   * ingest said of the number (kept with the record, never trusted: linkage checks the number
   * itself), and a producer may omit it or word it otherwise for the same registration.
   */
  async storeVersion(r: RegistryRecord): Promise<'stored' | 'duplicate' | 'conflict'> {
    // The outer select reads the statement's snapshot: the version held before, not the one inserted.
    const [row] = (await this.tx.query(
      `with ins as (insert into lk_record_versions (scope, source, record_id, version, record) values ($1, $2, $3, $4, $5)
         on conflict do nothing returning version)
       select (select count(*) from ins)::int as inserted,
         (select record from lk_record_versions where scope = $1 and source = $2 and record_id = $3 and version = $4) as held`,
      [this.scope, r.source, r.recordId, r.version, JSON.stringify(r)])) as Array<{ inserted: number; held: RegistryRecord | null }>;
    if (row.inserted === 1) return 'stored';
    if (row.held === null) return 'duplicate'; // inserted meanwhile by a transaction that committed after our snapshot
    const content = (x: RegistryRecord) => contentHash({ ...x, extractedOn: undefined, identifierWarnings: undefined });
    return content(row.held) === content(r) ? 'duplicate' : 'conflict';
  }

  /** Makes `r` the current version if it is newer than the stored one; false if it is older. */
  async makeCurrent(r: RegistryRecord): Promise<boolean> {
    const rows = (await this.tx.query(
      `insert into lk_records (scope, source, record_id, version, kind, record) values ($1, $2, $3, $4, $5, $6)
       on conflict (scope, source, record_id) do update set version = excluded.version, kind = excluded.kind, record = excluded.record
       where lk_records.version < excluded.version returning version`,
      [this.scope, r.source, r.recordId, r.version, r.kind, JSON.stringify(r)])) as unknown[];
    if (!rows.length) return false;
    await this.tx.query(`delete from lk_record_keys where scope = $1 and source = $2 and record_id = $3`, [this.scope, r.source, r.recordId]);
    const keys = blockingKeys(prepareRecord(r));
    if (keys.length) {
      await this.tx.query(
        `insert into lk_record_keys (scope, key, source, record_id) select $1, k, $3, $4 from unnest($2::text[]) k on conflict do nothing`,
        [this.scope, keys, r.source, r.recordId]);
    }
    return true;
  }

  async currentRecord(ref: RecordRef): Promise<RegistryRecord | null> {
    const rows = (await this.tx.query(`select record from lk_records where scope = $1 and source = $2 and record_id = $3`,
      [this.scope, ref.source, ref.recordId])) as Array<{ record: RegistryRecord }>;
    return rows.length ? rows[0].record : null;
  }

  /** Link states of a record, by trial. */
  async links(ref: RecordRef): Promise<Map<string, LinkState>> {
    const rows = (await this.tx.query(
      `select trial_id as "trialId", status, patient_id as "patientId", version, review_id as "reviewId", emitted, seq, clerical
       from lk_links where scope = $1 and source = $2 and record_id = $3`, [this.scope, ref.source, ref.recordId])) as Array<LinkState & { trialId: string }>;
    return new Map(rows.map(({ trialId, ...s }) => [trialId, s]));
  }

  async saveLink(ref: RecordRef, trialId: string, s: LinkState): Promise<void> {
    await this.tx.query(
      `insert into lk_links (scope, source, record_id, trial_id, status, patient_id, version, review_id, emitted, seq, clerical, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())
       on conflict (scope, source, record_id, trial_id) do update set status = excluded.status, patient_id = excluded.patient_id,
         version = excluded.version, review_id = excluded.review_id, emitted = excluded.emitted, seq = excluded.seq,
         clerical = excluded.clerical, updated_at = now()`,
      [this.scope, ref.source, ref.recordId, trialId, s.status, s.patientId, s.version, s.reviewId,
        s.emitted === null ? null : JSON.stringify(s.emitted), s.seq, s.clerical === null ? null : JSON.stringify(s.clerical)]);
  }

  async logDecision(r: RegistryRecord, trialId: string, d: DecisionRecord, cause: string, at: string): Promise<void> {
    await this.tx.query(
      `insert into lk_decisions (scope, source, record_id, version, trial_id, decision, patient_id, method, reason, model_version, weight, fields, candidates, competing, cause, decided_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [this.scope, r.source, r.recordId, r.version, trialId, d.decision, d.patientId, d.method, d.reason, d.modelVersion, d.weight,
        JSON.stringify(d.fields), JSON.stringify(d.candidates), JSON.stringify(d.competing), cause, at]);
  }

  async openReview(r: RegistryRecord, trialId: string, item: ReviewItem, at: string): Promise<void> {
    await this.tx.query(
      `insert into lk_reviews (review_id, scope, source, record_id, version, trial_id, reason, model_version, candidates, competing, status, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11)
       on conflict (review_id) do update set reason = excluded.reason, model_version = excluded.model_version,
         candidates = excluded.candidates, competing = excluded.competing,
         status = case when lk_reviews.status = 'superseded' then 'open' else lk_reviews.status end`,
      [item.reviewId, this.scope, r.source, r.recordId, r.version, trialId, item.reason, item.modelVersion, JSON.stringify(item.candidates),
        JSON.stringify(item.competing), at]);
  }

  async closeReview(reviewId: string): Promise<void> {
    await this.tx.query(`update lk_reviews set status = 'superseded' where review_id = $1 and status = 'open'`, [reviewId]);
  }

  async review(reviewId: string): Promise<{ source: string; recordId: string; trialId: string; candidates: Array<{ patientId: string }> } | null> {
    const rows = (await this.tx.query(
      `select source, record_id as "recordId", trial_id as "trialId", candidates from lk_reviews where review_id = $1 and scope = $2`,
      [reviewId, this.scope])) as Array<{ source: string; recordId: string; trialId: string; candidates: Array<{ patientId: string }> }>;
    return rows[0] ?? null;
  }

  async decideReview(reviewId: string, decision: 'accept' | 'reject', patientId: string | null, reviewer: string, note: string | null, at: string): Promise<void> {
    await this.tx.query(
      `update lk_reviews set status = $2, decision = $2, patient_id = $3, decided_by = $4, note = $5, decided_at = $6 where review_id = $1`,
      [reviewId, decision === 'accept' ? 'accepted' : 'rejected', patientId, reviewer, note, at]);
  }

  /** Live death facts on a patient's stream (for the two-deaths conflict flag). */
  async liveDeaths(trialId: string, patientId: string): Promise<Array<{ source: string; recordId: string; version: number; dateOfDeath: string }>> {
    return (await this.tx.query(
      `select source, record_id as "recordId", (emitted->>'version')::int as version, emitted->>'dateOfDeath' as "dateOfDeath"
       from lk_links where scope = $1 and trial_id = $2 and patient_id = $3 and emitted->>'kind' = 'death'
       order by emitted->>'dateOfDeath', source, record_id`, [this.scope, trialId, patientId])) as Array<{ source: string; recordId: string; version: number; dateOfDeath: string }>;
  }

  /** True the first time an event id is flagged in this scope. */
  async firstFlag(eventId: string): Promise<boolean> {
    const rows = (await this.tx.query(`insert into lk_flags (scope, event_id) values ($1, $2) on conflict do nothing returning event_id`, [this.scope, eventId])) as unknown[];
    return rows.length === 1;
  }
}
