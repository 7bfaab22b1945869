import { EntityManager } from 'typeorm';
import { PatientRandomised, RegistryRecord, checkedRows, contentHash } from '@trial/contracts';
import { copyRows } from '@trial/storage';
import { LinkageModel, PatientIdentity, defaultModel, parseModel } from '@trial/linkage';
import { DecisionRecord } from './target';
import { LinkState, ReviewItem } from './plan';
import { candidatesProblem, identityProblem, linkProblem, recordProblem } from './stored-rows';

/**
 * Postgres access for the linkage service, all inside the caller's transaction and scope, in
 * bulk: one statement per table per batch (arrays through unnest), not one per message.
 * Candidates are not queried here: every instance holds the scope's patients in memory
 * (mirror.ts) and reads only their changes (patientChanges).
 */
export type Identity = Omit<PatientIdentity, 'patientId'>;

export interface StoredPatient {
  trialId: string;
  patientId: string;
  identity: PatientIdentity;
  withdrawnOn: string | null;
  /** randomisationHash of the randomisation that stands; null for rows stored before hashes were kept. */
  hash: string | null;
}

export interface RecordRef {
  source: string;
  recordId: string;
}

/** A record's key in maps (NUL cannot occur in an id). */
export const refKey = (r: RecordRef): string => `${r.source}\u0000${r.recordId}`;

/** A patient's key in takeSeqs' result (NUL cannot occur in an id). */
export const seqKey = (trialId: string, patientId: string): string => `${trialId}\u0000${patientId}`;

/** A link state with what the λ counts need (lk_links.deterministic). */
export type StoredLink = LinkState & { deterministic: boolean };

/**
 * The content of a randomisation that must agree for a second copy to be a duplicate: arm,
 * date, site and identity (everything but the event id, which a resending producer may renew).
 */
export function randomisationHash(e: PatientRandomised): string {
  return contentHash({ ...e, eventId: undefined });
}

export function identityOf(e: PatientRandomised): Identity {
  return {
    randomisedOn: e.randomisedOn,
    nhsNumber: e.nhsNumber,
    chiNumber: e.chiNumber,
    dateOfBirth: e.dateOfBirth,
    sex: e.sex,
    familyName: e.familyName,
    givenNames: e.givenNames,
    postcode: e.postcode,
  };
}

/**
 * The content of a record version, for telling a redelivery from a version reused. `extractedOn`
 * is not content: the same file ingested on another day carries another extract date. Nor is
 * `identifierWarnings`: it is what one ingest said of the number (kept with the record, never
 * trusted: linkage checks the number itself), and a producer may omit it or word it otherwise.
 */
export const versionContent = (x: RegistryRecord): string => contentHash({ ...x, extractedOn: undefined, identifierWarnings: undefined });

/**
 * Blocking-key locks are taken on buckets of the keys' hashes, not on each key: a batch of a
 * few thousand records touches ~10,000 keys, more than Postgres' shared lock table holds
 * (max_locks_per_transaction × connections). Two keys in one bucket only make two
 * transactions wait for each other that need not; two keys sharing a bucket never let two
 * wait less than they must.
 */
export const KEY_BUCKETS = 1024;

/**
 * A blocking key's lock bucket: FNV-1a (32 bits) over its UTF-16 code units, modulo
 * KEY_BUCKETS. Any fixed hash serves, as long as every locker uses this one (lockKeys).
 */
export function keyBucket(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & (KEY_BUCKETS - 1);
}

/** One decision of the audit (lk_decisions). */
export interface DecisionRow {
  record: RegistryRecord;
  trialId: string;
  audit: DecisionRecord;
  cause: string;
}

/** A count change of lk_prior_counts for one (source, trial) of this writer ('' trial: record counts). */
export interface CountDelta {
  source: string;
  trialId: string;
  records: number;
  recordsWithNumber: number;
  deterministic: number;
}

/** A patient row to write: new (`hash` given) or changed. */
export interface PatientWrite {
  trialId: string;
  patientId: string;
  identity: Identity;
  withdrawnOn: string | null;
  hash: string | null;
}

/** One changed patient row and the transaction that wrote it. */
export interface PatientChange {
  trialId: string;
  patientId: string;
  identity: Identity;
  withdrawnOn: string | null;
}

const VERSIONS = { table: 'lk_record_versions', column: 'record' };

const cols = <T, K extends keyof T>(rows: readonly T[], k: K): Array<T[K]> => rows.map((r) => r[k]);

const decisionColumns = [
  'scope',
  'source',
  'record_id',
  'version',
  'trial_id',
  'decision',
  'patient_id',
  'method',
  'reason',
  'model_version',
  'prior',
  'weight',
  'fields',
  'candidates',
  'competing',
  'cause',
  'decided_at',
] as const;

const versionColumns = ['scope', 'source', 'record_id', 'version', 'record'] as const;
const recordColumns = ['scope', 'source', 'record_id', 'version', 'kind', 'keys'] as const;

/** A text[] literal (each element quoted, `"` and `\` escaped), for COPY's text format. */
export function textArray(xs: readonly string[]): string {
  return `{${xs.map((x) => `"${x.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/** Models by version: a version names one model forever (models.ts), so a parsed one is kept. */
const models = new Map<string, LinkageModel>();

export class LinkStore {
  constructor(
    private readonly tx: EntityManager,
    readonly scope: string,
  ) {}

  /** The newest active model; the packaged default is stored as the first version. */
  async activeModel(): Promise<LinkageModel> {
    const rows = (await this.tx.query(`select version from lk_models where active order by created_at desc, version desc limit 1`)) as Array<{
      version: string;
    }>;
    if (rows.length) {
      const cached = models.get(rows[0].version);
      if (cached) return cached;
      const [row] = (await this.tx.query(`select model from lk_models where version = $1`, [rows[0].version])) as Array<{ model: unknown }>;
      const parsed = parseModel(JSON.stringify(row.model));
      if (!parsed.ok) throw new Error(`stored linkage model is invalid: ${parsed.reason}`);
      models.set(rows[0].version, parsed.model);
      return parsed.model;
    }
    await this.tx.query(`insert into lk_models (version, model) values ($1, $2) on conflict do nothing`, [
      defaultModel.version,
      JSON.stringify(defaultModel),
    ]);
    return defaultModel;
  }

  /**
   * Takes the blocking-key locks of this transaction, all in one statement, in bucket order
   * (so two transactions cannot deadlock on them). Record writers take them shared (records do
   * not change each other's candidates), patient writers exclusive: a record and a patient
   * sharing a key are never decided at once, so whichever commits second sees the other.
   */
  async lockKeys(keys: readonly string[], mode: 'shared' | 'exclusive'): Promise<void> {
    if (!keys.length) return;
    const fn = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
    // Buckets computed here and sent as one small array: a batch has ~8,000 keys but touches at
    // most KEY_BUCKETS buckets, and hashing the keys server-side cost Postgres a JSON parse.
    const buckets = [...new Set(keys.map(keyBucket))].sort((a, b) => a - b);
    await this.tx.query(`select ${fn}(hashtext($1), b) from unnest($2::int[]) b order by b`, [`lk:${this.scope}`, buckets]);
  }

  /**
   * λ in force per (trial, source), under a share lock held to commit: the λ refresh
   * (priors.ts) changes a row only when no decision made under the old value is uncommitted.
   * Rows missing for `ensure` are created with the model's λ first.
   */
  async priorsForShare(
    ensure: ReadonlyArray<{ trialId: string; source: string }>,
    model: LinkageModel,
    only: ReadonlySet<string> | null = null,
  ): Promise<Map<string, number>> {
    if (ensure.length) {
      await this.tx.query(
        `insert into lk_priors (scope, trial_id, source, prior, weight, basis)
         select $1, t, s, $4, $5, 'model' from unnest($2::text[], $3::text[]) as x(t, s) order by t, s on conflict do nothing`,
        [this.scope, cols(ensure, 'trialId'), cols(ensure, 'source'), model.prior, Math.log2(model.prior / (1 - model.prior))],
      );
    }
    const rows = (await this.tx.query(
      `select trial_id as "trialId", source, prior from lk_priors where scope = $1 and ($2::text[] is null or trial_id = any($2::text[]))
       order by trial_id, source for share`,
      [this.scope, only ? [...only] : null],
    )) as Array<{ trialId: string; source: string; prior: number }>;
    return new Map(rows.map((r) => [priorKey(r.trialId, r.source), r.prior]));
  }

  /**
   * Patient rows written by transactions that had not finished at the previous read (`from`,
   * that read's snapshot xmin), and this read's xmin. Every transaction older than a
   * snapshot's xmin has finished, so a row missing from a read is either older than `from`
   * (read before) or newer than this read (read next time), whatever order transactions commit
   * in. This transaction's own uncommitted rows are left out: they are read once committed.
   */
  async patientChanges(from: string): Promise<{ xmin: string; rows: PatientChange[] }> {
    const rows = (await this.tx.query(
      `with s as (select pg_snapshot_xmin(pg_current_snapshot()) as x, pg_current_xact_id_if_assigned() as me)
       select least(s.x, coalesce(s.me, s.x))::text as xmin, p.trial_id as "trialId", p.patient_id as "patientId", p.identity,
         p.withdrawn_on::text as "withdrawnOn"
       from s left join lk_patients p on p.scope = $1 and p.change_xid >= $2::xid8 and p.change_xid is distinct from s.me`,
      [this.scope, from],
    )) as Array<{ xmin: string; trialId: string | null }>;
    const changed = checkedRows<PatientChange>(
      rows.filter((r) => r.trialId !== null),
      identityProblem,
      { table: 'lk_patients', column: 'identity' },
    );
    return { xmin: rows[0].xmin, rows: changed };
  }

  async patients(pairs: ReadonlyArray<{ trialId: string; patientId: string }>): Promise<StoredPatient[]> {
    if (!pairs.length) return [];
    const rows = await this.tx.query(
      `select trial_id as "trialId", patient_id as "patientId", identity, withdrawn_on::text as "withdrawnOn", randomisation_hash as hash
       from lk_patients where scope = $1 and (trial_id, patient_id) in (select * from unnest($2::text[], $3::text[]))`,
      [this.scope, cols(pairs, 'trialId'), cols(pairs, 'patientId')],
    );
    return checkedRows<{ trialId: string; patientId: string; identity: Identity; withdrawnOn: string | null; hash: string | null }>(
      rows,
      identityProblem,
      { table: 'lk_patients', column: 'identity' },
    ).map((r) => ({ ...r, identity: { ...r.identity, patientId: r.patientId } }));
  }

  /** Writes patients: new rows inserted, changed ones updated (identity, withdrawal), each marked with this transaction. */
  async writePatients(ps: readonly PatientWrite[]): Promise<void> {
    if (!ps.length) return;
    await this.tx.query(
      `insert into lk_patients (scope, trial_id, patient_id, identity, randomised_on, withdrawn_on, randomisation_hash, change_xid)
       select $1, t, p, i, (i->>'randomisedOn')::date, w, h, pg_current_xact_id()
       from unnest($2::text[], $3::text[], $4::jsonb[], $5::date[], $6::text[]) as x(t, p, i, w, h) order by t, p
       on conflict (scope, trial_id, patient_id) do update set identity = excluded.identity, withdrawn_on = excluded.withdrawn_on,
         change_xid = excluded.change_xid`,
      [this.scope, cols(ps, 'trialId'), cols(ps, 'patientId'), ps.map((p) => JSON.stringify(p.identity)), cols(ps, 'withdrawnOn'), cols(ps, 'hash')],
    );
  }

  /**
   * Takes the next `n` outcome sequence numbers of each patient; returns the first of each.
   * The row lock this takes is held to commit, so two transactions emitting for one patient
   * allocate (and then enqueue, hence get outbox ids) one after the other: the commit-order
   * property the outbox relay's per-key order relies on.
   */
  async takeSeqs(counts: ReadonlyArray<{ trialId: string; patientId: string; n: number }>): Promise<Map<string, number>> {
    if (!counts.length) return new Map();
    const rows = (await this.tx.query(
      `insert into lk_outcome_seq (scope, trial_id, patient_id, seq)
       select $1, t, p, n from unnest($2::text[], $3::text[], $4::int[]) as x(t, p, n) order by t, p
       on conflict (scope, trial_id, patient_id) do update set seq = lk_outcome_seq.seq + excluded.seq
       returning trial_id as "trialId", patient_id as "patientId", seq`,
      [this.scope, counts.map((c) => c.trialId), counts.map((c) => c.patientId), counts.map((c) => c.n)],
    )) as Array<{ trialId: string; patientId: string; seq: string }>;
    const n = new Map(counts.map((c) => [seqKey(c.trialId, c.patientId), c.n]));
    return new Map(
      rows.map((r) => {
        const k = seqKey(r.trialId, r.patientId);
        return [k, Number(r.seq) - (n.get(k) as number) + 1];
      }),
    );
  }

  /** The versions already stored among `rs`, by source, record and version. */
  async heldVersions(rs: readonly RegistryRecord[]): Promise<Map<string, RegistryRecord>> {
    if (!rs.length) return new Map();
    const rows = await this.tx.query(
      `select v.record from lk_record_versions v where v.scope = $1
         and (v.source, v.record_id, v.version) in (select * from unnest($2::text[], $3::text[], $4::int[]))`,
      [this.scope, cols(rs, 'source'), cols(rs, 'recordId'), cols(rs, 'version')],
    );
    return new Map(checkedRows<{ record: RegistryRecord }>(rows, recordProblem, VERSIONS).map((r) => [versionKey(r.record), r.record]));
  }

  /**
   * Stores record versions by COPY (storage copy.ts), not as one JSON document that Postgres
   * parsed whole and then took apart element by element (about 40% less of Postgres' CPU for
   * this write, timed on a batch of the live bench's rows). COPY has no ON CONFLICT, and none is
   * needed: the caller passes only versions it found not stored (heldVersions) under the
   * row locks of their records, and a record with no lk_records row has no version (both are
   * written in one transaction). The one race left, two partitions inserting the same new
   * record at once (a topic whose partition count changed), fails one transaction on the
   * primary key; it is retried as any database error is, and then finds the version held.
   */
  async insertVersions(rs: readonly RegistryRecord[]): Promise<void> {
    if (!rs.length) return;
    await copyRows(
      this.tx,
      'lk_record_versions',
      versionColumns,
      rs.map((r) => [this.scope, r.source, r.recordId, r.version, r]),
    );
  }

  /**
   * Current versions of records, row-locked (in a fixed order) to commit: nobody else re-decides
   * them meanwhile. lk_records names the version; its content is the lk_record_versions row.
   */
  async currentForUpdate(refs: readonly RecordRef[]): Promise<Map<string, RegistryRecord>> {
    if (!refs.length) return new Map();
    const rows = await this.tx.query(
      `select v.record from lk_records r
         join lk_record_versions v on v.scope = r.scope and v.source = r.source and v.record_id = r.record_id and v.version = r.version
       where r.scope = $1 and (r.source, r.record_id) in (select * from unnest($2::text[], $3::text[]))
       order by r.source, r.record_id for update of r`,
      [this.scope, cols(refs, 'source'), cols(refs, 'recordId')],
    );
    return new Map(checkedRows<{ record: RegistryRecord }>(rows, recordProblem, VERSIONS).map((r) => [refKey(r.record), r.record]));
  }

  /** Stored records sharing any of `keys` (lk_records.keys, GIN), row-locked in a fixed order (see currentForUpdate). */
  async recordsUnderForUpdate(keys: readonly string[]): Promise<Map<string, RegistryRecord>> {
    if (!keys.length) return new Map();
    const rows = await this.tx.query(
      `select v.record from lk_records r
         join lk_record_versions v on v.scope = r.scope and v.source = r.source and v.record_id = r.record_id and v.version = r.version
       where r.scope = $1 and r.keys && $2::text[] order by r.source, r.record_id for update of r`,
      [this.scope, [...new Set(keys)]],
    );
    return new Map(checkedRows<{ record: RegistryRecord }>(rows, recordProblem, VERSIONS).map((r) => [refKey(r.record), r.record]));
  }

  /**
   * Makes these the current versions (each newer than the one stored, which the caller checked
   * under the row lock), with their blocking keys: what a patient change finds them by. The
   * last of a record in `all` wins. The version's content is its lk_record_versions row
   * (insertVersions, earlier in the same transaction), not a second copy here. `stored` holds
   * the refKeys of the records that had an lk_records row under this transaction's row lock:
   * only those are upserted; the others (most of a registry stream: records never seen) are
   * inserted by COPY, without the upsert's conflict check (the race is as insertVersions').
   */
  async upsertRecords(
    all: ReadonlyArray<{ record: RegistryRecord; keys: readonly string[] }>,
    stored: ReadonlySet<string> | ReadonlyMap<string, unknown>,
  ): Promise<void> {
    if (!all.length) return;
    const last = new Map(all.map((x) => [refKey(x.record), x]));
    const fresh = [...last].filter(([k]) => !stored.has(k)).map(([, x]) => x);
    // Upserted in key order (row locks in a fixed order), each key built once, not per comparison.
    const known = [...last]
      .filter(([k]) => stored.has(k))
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([, x]) => x);
    if (fresh.length) {
      await copyRows(
        this.tx,
        'lk_records',
        recordColumns,
        fresh.map(({ record: x, keys }) => [this.scope, x.source, x.recordId, x.version, x.kind, textArray([...new Set(keys)])]),
      );
    }
    if (!known.length) return;
    // One JSON parameter (jsonb_to_recordset): arrays of text are escaped by the driver
    // character by character, which cost more than the insert.
    await this.tx.query(
      `insert into lk_records (scope, source, record_id, version, kind, keys)
       select $1, s, r, v, k, ks from jsonb_to_recordset($2::jsonb) as x(s text, r text, v int, k text, ks text[])
       on conflict (scope, source, record_id) do update set version = excluded.version, kind = excluded.kind, keys = excluded.keys
       where lk_records.version < excluded.version`,
      [
        this.scope,
        JSON.stringify(known.map(({ record: x, keys }) => ({ s: x.source, r: x.recordId, v: x.version, k: x.kind, ks: [...new Set(keys)] }))),
      ],
    );
  }

  /** Link states of records, by record then trial. */
  async links(refs: readonly RecordRef[]): Promise<Map<string, Map<string, StoredLink>>> {
    const out = new Map<string, Map<string, StoredLink>>();
    if (!refs.length) return out;
    const rows = await this.tx.query(
      `select source, record_id as "recordId", trial_id as "trialId", status, patient_id as "patientId", version, review_id as "reviewId",
         emitted, seq, clerical, deterministic
       from lk_links where scope = $1 and (source, record_id) in (select * from unnest($2::text[], $3::text[]))`,
      [this.scope, cols(refs, 'source'), cols(refs, 'recordId')],
    );
    const links = checkedRows<StoredLink & RecordRef & { trialId: string }>(rows, linkProblem, { table: 'lk_links' });
    for (const { source, recordId, trialId, ...s } of links) {
      const k = refKey({ source, recordId });
      let m = out.get(k);
      if (!m) out.set(k, (m = new Map()));
      m.set(trialId, s);
    }
    return out;
  }

  /** Saves link states, the last of each (record, trial) winning (a row can be updated once per statement). */
  async saveLinks(all: ReadonlyArray<{ ref: RecordRef; trialId: string; state: StoredLink }>): Promise<void> {
    if (!all.length) return;
    const ls = [...new Map(all.map((l) => [`${refKey(l.ref)}\u0000${l.trialId}`, l])).values()];
    const rows = ls.map(({ ref, trialId, state: x }) => ({
      s: ref.source,
      r: ref.recordId,
      t: trialId,
      st: x.status,
      p: x.patientId,
      v: x.version,
      rv: x.reviewId,
      e: x.emitted,
      q: x.seq,
      c: x.clerical,
      d: x.deterministic,
    }));
    await this.tx.query(
      `insert into lk_links (scope, source, record_id, trial_id, status, patient_id, version, review_id, emitted, seq, clerical, deterministic, updated_at)
       select $1, s, r, t, st, p, v, rv, nullif(e, 'null'::jsonb), q, nullif(c, 'null'::jsonb), d, now()
       from jsonb_to_recordset($2::jsonb) as x(s text, r text, t text, st text, p text, v int, rv text, e jsonb, q int, c jsonb, d boolean)
         order by s, r, t
       on conflict (scope, source, record_id, trial_id) do update set status = excluded.status, patient_id = excluded.patient_id,
         version = excluded.version, review_id = excluded.review_id, emitted = excluded.emitted, seq = excluded.seq,
         clerical = excluded.clerical, deterministic = excluded.deterministic, updated_at = now()`,
      [this.scope, JSON.stringify(rows)],
    );
  }

  /**
   * The batch's audit rows with COPY (storage copy.ts): the largest write of a batch (every
   * decision, unlinked ones too, with up to 5 candidates' per-field evidence). COPY streams the
   * rows in text format; the jsonb_to_recordset statement it replaces parsed the whole batch
   * as one JSON document, then again each row's fields and candidates out of it. lk_decisions
   * is append-only with no unique key, so nothing needs ON CONFLICT.
   */
  async logDecisions(ds: readonly DecisionRow[], at: string): Promise<void> {
    if (!ds.length) return;
    await copyRows(
      this.tx,
      'lk_decisions',
      decisionColumns,
      ds.map((d) => [
        this.scope,
        d.record.source,
        d.record.recordId,
        d.record.version,
        d.trialId,
        d.audit.decision,
        d.audit.patientId,
        d.audit.method,
        d.audit.reason,
        d.audit.modelVersion,
        d.audit.prior,
        d.audit.weight,
        d.audit.fields,
        d.audit.candidates,
        d.audit.competing,
        d.cause,
        at,
      ]),
    );
  }

  /** Opens (or refreshes) review items, the last content of each id winning. */
  async openReviews(items: ReadonlyArray<{ record: RegistryRecord; trialId: string; item: ReviewItem }>, at: string): Promise<void> {
    if (!items.length) return;
    const last = new Map(items.map((i) => [i.item.reviewId, i]));
    const xs = [...last.values()].sort((a, b) => (a.item.reviewId < b.item.reviewId ? -1 : 1));
    await this.tx.query(
      `insert into lk_reviews (review_id, scope, source, record_id, version, trial_id, reason, model_version, candidates, competing, status, created_at)
       select id, $1, s, r, v, t, rs, mv, c, cp, 'open', $11
       from unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::jsonb[], $10::jsonb[])
         as x(id, s, r, v, t, rs, mv, c, cp)
       on conflict (review_id) do update set reason = excluded.reason, model_version = excluded.model_version,
         candidates = excluded.candidates, competing = excluded.competing,
         status = case when lk_reviews.status = 'superseded' then 'open' else lk_reviews.status end`,
      [
        this.scope,
        xs.map((x) => x.item.reviewId),
        xs.map((x) => x.record.source),
        xs.map((x) => x.record.recordId),
        xs.map((x) => x.record.version),
        cols(xs, 'trialId'),
        xs.map((x) => x.item.reason),
        xs.map((x) => x.item.modelVersion),
        xs.map((x) => JSON.stringify(x.item.candidates)),
        xs.map((x) => JSON.stringify(x.item.competing)),
        at,
      ],
    );
  }

  async closeReviews(reviewIds: readonly string[]): Promise<void> {
    if (!reviewIds.length) return;
    await this.tx.query(`update lk_reviews set status = 'superseded' where review_id = any($1::text[]) and status = 'open'`, [
      [...new Set(reviewIds)],
    ]);
  }

  async reviews(
    reviewIds: readonly string[],
  ): Promise<Map<string, { source: string; recordId: string; trialId: string; candidates: Array<{ patientId: string }> }>> {
    if (!reviewIds.length) return new Map();
    const rows = await this.tx.query(
      `select review_id as "reviewId", source, record_id as "recordId", trial_id as "trialId", candidates from lk_reviews
        where review_id = any($1::text[]) and scope = $2`,
      [[...new Set(reviewIds)], this.scope],
    );
    return new Map(
      checkedRows<{ reviewId: string; source: string; recordId: string; trialId: string; candidates: Array<{ patientId: string }> }>(
        rows,
        candidatesProblem,
        { table: 'lk_reviews', column: 'candidates' },
      ).map(({ reviewId, ...r }) => [reviewId, r]),
    );
  }

  async decideReview(
    reviewId: string,
    decision: 'accept' | 'reject',
    patientId: string | null,
    reviewer: string,
    note: string | null,
    at: string,
  ): Promise<void> {
    await this.tx.query(
      `update lk_reviews set status = $2, decision = $2, patient_id = $3, decided_by = $4, note = $5, decided_at = $6 where review_id = $1`,
      [reviewId, decision === 'accept' ? 'accepted' : 'rejected', patientId, reviewer, note, at],
    );
  }

  /** Live death facts on patients' streams (for the two-deaths conflict flag), by patient, earliest first. */
  async liveDeaths(
    pairs: ReadonlyArray<{ trialId: string; patientId: string }>,
  ): Promise<Map<string, Array<{ source: string; recordId: string; version: number; dateOfDeath: string }>>> {
    const out = new Map<string, Array<{ source: string; recordId: string; version: number; dateOfDeath: string }>>();
    if (!pairs.length) return out;
    const rows = (await this.tx.query(
      `select trial_id as "trialId", patient_id as "patientId", source, record_id as "recordId", (emitted->>'version')::int as version,
         emitted->>'dateOfDeath' as "dateOfDeath"
       from lk_links where scope = $1 and (trial_id, patient_id) in (select * from unnest($2::text[], $3::text[])) and emitted->>'kind' = 'death'
       order by trial_id, patient_id, emitted->>'dateOfDeath', source, record_id`,
      [this.scope, cols(pairs, 'trialId'), cols(pairs, 'patientId')],
    )) as Array<{ trialId: string; patientId: string; source: string; recordId: string; version: number; dateOfDeath: string }>;
    for (const { trialId, patientId, ...d } of rows) {
      const k = seqKey(trialId, patientId);
      const list = out.get(k) ?? [];
      list.push(d);
      out.set(k, list);
    }
    return out;
  }

  /** The event ids among `eventIds` flagged here for the first time (each once). */
  async firstFlags(eventIds: readonly string[]): Promise<Set<string>> {
    if (!eventIds.length) return new Set();
    const rows = (await this.tx.query(
      `insert into lk_flags (scope, event_id) select $1, e from unnest($2::text[]) e on conflict do nothing returning event_id as "eventId"`,
      [this.scope, [...new Set(eventIds)]],
    )) as Array<{ eventId: string }>;
    return new Set(rows.map((r) => r.eventId));
  }

  /** Adds this writer's count changes (lk_prior_counts): only this writer updates its rows. */
  async addCounts(writer: string, deltas: readonly CountDelta[]): Promise<void> {
    const sum = new Map<string, CountDelta>();
    for (const d of deltas) {
      const k = priorKey(d.trialId, d.source);
      const s = sum.get(k) ?? { source: d.source, trialId: d.trialId, records: 0, recordsWithNumber: 0, deterministic: 0 };
      s.records += d.records;
      s.recordsWithNumber += d.recordsWithNumber;
      s.deterministic += d.deterministic;
      sum.set(k, s);
    }
    const ds = [...sum.values()].filter((d) => d.records !== 0 || d.recordsWithNumber !== 0 || d.deterministic !== 0);
    if (!ds.length) return;
    await this.tx.query(
      `insert into lk_prior_counts (scope, source, trial_id, writer, records, records_with_number, deterministic)
       select $1, s, t, $2, a, b, c from unnest($3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[]) as x(s, t, a, b, c) order by s, t
       on conflict (scope, source, trial_id, writer) do update set records = lk_prior_counts.records + excluded.records,
         records_with_number = lk_prior_counts.records_with_number + excluded.records_with_number,
         deterministic = lk_prior_counts.deterministic + excluded.deterministic`,
      [this.scope, writer, cols(ds, 'source'), cols(ds, 'trialId'), cols(ds, 'records'), cols(ds, 'recordsWithNumber'), cols(ds, 'deterministic')],
    );
  }

  /** Sets (weight not null) or clears (null) records' prior-free best weights per trial (lk_prior_weights). */
  async setPriorWeights(ws: ReadonlyArray<{ trialId: string; source: string; recordId: string; weight: number | null }>): Promise<void> {
    const last = new Map(ws.map((w) => [`${w.trialId}\u0000${w.source}\u0000${w.recordId}`, w]));
    const set = [...last.values()].filter((w) => w.weight !== null).sort(byWeightKey);
    const clear = [...last.values()].filter((w) => w.weight === null);
    if (clear.length) {
      await this.tx.query(
        `delete from lk_prior_weights where scope = $1 and (trial_id, source, record_id) in (select *
          from unnest($2::text[], $3::text[], $4::text[]))`,
        [this.scope, cols(clear, 'trialId'), cols(clear, 'source'), cols(clear, 'recordId')],
      );
    }
    if (set.length) {
      await this.tx.query(
        `insert into lk_prior_weights (scope, trial_id, source, record_id, weight)
         select $1, t, s, r, w from unnest($2::text[], $3::text[], $4::text[], $5::float8[]) as x(t, s, r, w)
         on conflict (scope, trial_id, source, record_id) do update set weight = excluded.weight`,
        [this.scope, cols(set, 'trialId'), cols(set, 'source'), cols(set, 'recordId'), cols(set, 'weight')],
      );
    }
  }
}

function byWeightKey(a: { trialId: string; source: string; recordId: string }, b: { trialId: string; source: string; recordId: string }): number {
  const x = `${a.trialId}\u0000${a.source}\u0000${a.recordId}`;
  const y = `${b.trialId}\u0000${b.source}\u0000${b.recordId}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

export const priorKey = (trialId: string, source: string): string => `${trialId}\u0000${source}`;
export const versionKey = (r: { source: string; recordId: string; version: number }): string => `${r.source}\u0000${r.recordId}\u0000${r.version}`;
