import { DecideOptions, LinkDecision } from './decide';
import { LinkageModel } from './model';
import { PatientIdentity, Prepared, PreparedPatient, PreparedRecord, RecordFacts, preparePatient, prepareRecord } from './person';
import { PatientTable } from './table';
import { holdsRegistryNumber } from './prior';

/**
 * Blocking keys, unioned: a record is compared only with patients sharing at least one key.
 * - `n:` / `c:` the NHS / CHI number as given, valid or not: a number that fails its check is
 *   still evidence when it is equal (levels.ts), so a registration whose only intact field is
 *   its damaged number still finds the patient who holds it (never deterministically: conclude.ts);
 * - `d:` date of birth with day and month sorted, so a day/month swap lands in the same block;
 * - `p:` NYSIIS code of the family name with the year of birth;
 * - `s:` postcode sector.
 * The same function serves records and patients, so the relation is symmetric: a record and a
 * patient are candidates of each other exactly when their key sets intersect.
 */
export function blockingKeys(p: Prepared): string[] {
  const keys: string[] = [];
  if (p.nhs !== null) keys.push(`n:${p.nhs}`);
  if (p.chi !== null) keys.push(`c:${p.chi}`);
  if (p.dob !== null) {
    const lo = Math.min(p.dobM, p.dobD);
    const hi = Math.max(p.dobM, p.dobD);
    keys.push(`d:${p.dobY}-${lo}-${hi}`);
    if (p.familyCode) keys.push(`p:${p.familyCode}:${p.dobY}`);
  }
  if (p.sector !== null) keys.push(`s:${p.sector}`);
  return keys;
}

function addTo(map: Map<string, Set<string>>, key: string, id: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(id);
}

function removeFrom(map: Map<string, Set<string>>, key: string, id: string): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) map.delete(key);
}

function sorted(ids: Iterable<string>): string[] {
  return [...ids].sort();
}

/**
 * An incremental, symmetric blocking index for the live service: patients by key AND records by
 * key. Whatever order patients and records arrive in, `candidatesOf(recordKey)` ends up as the
 * same set (the patients sharing a key with the record), and `decide` depends only on that set,
 * so the links are the same in any interleaving of `trial.enrollments` and
 * `registry.notifications`.
 *
 * How the service uses it:
 * - PatientRandomised / PatientDetailsCorrected → `upsertPatient(p)` returns the keys of the
 *   stored records whose candidate set changed (sharing an old or a new key); re-decide each
 *   with `decideRecord` and emit what changed.
 * - a notification → `upsertRecord(source:recordId, record)` (a higher version replaces it),
 *   then `decideRecord` on it.
 * Records already applied and final can be dropped with `removeRecord` to bound memory.
 * The index holds identifying data in memory only; it logs nothing.
 */
export class LinkageIndex {
  private readonly patients = new Map<string, { slot: number; keys: string[] }>();
  private readonly records = new Map<string, { r: PreparedRecord; keys: string[] }>();
  /** Prepared patients, column-wise (table.ts); the key lists hold their slots. */
  private readonly table = new PatientTable();
  private readonly patientsByKey = new Map<string, number[]>();
  private readonly recordsByKey = new Map<string, Set<string>>();
  /** Patients holding a valid number of each registry's kind (prior.ts holdsRegistryNumber): the prior's counts. */
  private readonly withNumber = { ONS: 0, NRS: 0 };
  /** Candidate slots of the last query (reused). */
  private found = new Int32Array(256);

  get patientCount(): number {
    return this.patients.size;
  }

  /** How many patients hold a valid number of the registry's kind (PriorCounts.patientsWithNumber). */
  patientsWithNumber(source: 'ONS' | 'NRS'): number {
    return this.withNumber[source];
  }

  /** A stored patient as prepared (preparePatient); null when not stored. */
  prepared(patientId: string): PreparedPatient | null {
    const entry = this.patients.get(patientId);
    return entry ? (this.table.objs[entry.slot] as PreparedPatient) : null;
  }

  private count(p: PreparedPatient, by: 1 | -1): void {
    if (holdsRegistryNumber(p, 'ONS')) this.withNumber.ONS += by;
    if (holdsRegistryNumber(p, 'NRS')) this.withNumber.NRS += by;
  }

  get recordCount(): number {
    return this.records.size;
  }

  /** Adds or replaces a patient; returns the keys of stored records to re-decide, sorted. */
  upsertPatient(patient: PatientIdentity): string[] {
    const p = preparePatient(patient);
    const keys = blockingKeys(p);
    const old = this.patients.get(p.patientId);
    const touched = new Set<string>(keys);
    if (old) {
      for (const k of old.keys) {
        this.unindexPatient(k, old.slot);
        touched.add(k);
      }
      this.count(this.table.objs[old.slot] as PreparedPatient, -1);
      this.table.remove(old.slot);
    }
    const slot = this.table.add(p);
    this.count(p, 1);
    for (const k of keys) {
      const list = this.patientsByKey.get(k);
      if (list) list.push(slot);
      else this.patientsByKey.set(k, [slot]);
    }
    this.patients.set(p.patientId, { slot, keys });
    return this.recordsUnder(touched);
  }

  /** Removes a patient; returns the keys of stored records to re-decide, sorted. */
  removePatient(patientId: string): string[] {
    const old = this.patients.get(patientId);
    if (!old) return [];
    for (const k of old.keys) this.unindexPatient(k, old.slot);
    this.count(this.table.objs[old.slot] as PreparedPatient, -1);
    this.table.remove(old.slot);
    this.patients.delete(patientId);
    return this.recordsUnder(old.keys);
  }

  /** Adds or replaces a record (`source:recordId`, the notification key). */
  upsertRecord(recordKey: string, record: RecordFacts): void {
    this.removeRecord(recordKey);
    const r = prepareRecord(record);
    const keys = blockingKeys(r);
    for (const k of keys) addTo(this.recordsByKey, k, recordKey);
    this.records.set(recordKey, { r, keys });
  }

  removeRecord(recordKey: string): void {
    const old = this.records.get(recordKey);
    if (!old) return;
    for (const k of old.keys) removeFrom(this.recordsByKey, k, recordKey);
    this.records.delete(recordKey);
  }

  hasRecord(recordKey: string): boolean {
    return this.records.has(recordKey);
  }

  /** The patients sharing a blocking key with a stored record, by patientId. */
  candidatesOf(recordKey: string): PreparedPatient[] {
    const entry = this.records.get(recordKey);
    return entry ? this.patientsAt(this.collect(entry.keys)) : [];
  }

  /** The patients sharing a blocking key with any record (stored or not). */
  candidatesFor(record: PreparedRecord): PreparedPatient[] {
    return this.patientsAt(this.collect(blockingKeys(record)));
  }

  /** The patients under any of `keys` (each once): e.g. the record's number keys, for its deterministic owners. */
  patientsUnder(keys: readonly string[]): PreparedPatient[] {
    return this.patientsAt(this.collect(keys));
  }

  /** The decision for a stored record against the current patients; null if not stored. */
  decideRecord(recordKey: string, model: LinkageModel, options?: DecideOptions): LinkDecision | null {
    const entry = this.records.get(recordKey);
    return entry ? this.table.decideSlots(entry.r, this.found, this.collect(entry.keys), model, options) : null;
  }

  /**
   * The decision for any record (stored or not) against the current patients: the same as
   * `decide(record, this.candidatesFor(record), model, options)`, faster (table.ts).
   */
  decideFor(record: PreparedRecord, model: LinkageModel, options?: DecideOptions): LinkDecision {
    return this.decidePrepared(record, blockingKeys(record), model, options);
  }

  /** `decideFor` on a record prepared elsewhere with its `blockingKeys` (enrich.ts). */
  decidePrepared(record: PreparedRecord, keys: readonly string[], model: LinkageModel, options?: DecideOptions): LinkDecision {
    return this.table.decideSlots(record, this.found, this.collect(keys), model, options);
  }

  /**
   * Lays the patients out in memory by postcode sector, then date of birth, and each key's list
   * in slot order, after a bulk load (`followup link`'s cohort).
   *
   * Why: a record's candidates are mostly the patients of its sector (the largest blocks), and
   * reading each one's row was a cache miss when slots followed the cohort file's order. Side by
   * side, a block is read sequentially. Decisions are unchanged: `decide` does not depend on the
   * slots nor on the candidates' order (collect is unsorted).
   */
  relayout(): void {
    const entries = [...this.patients.values()];
    const newOf = this.table.relayout(this.table.bySectorThenBirth());
    for (const e of entries) e.slot = newOf[e.slot];
    for (const list of this.patientsByKey.values()) {
      for (let j = 0; j < list.length; j++) list[j] = newOf[list[j]];
      list.sort((a, b) => a - b);
    }
  }

  private unindexPatient(key: string, slot: number): void {
    const list = this.patientsByKey.get(key);
    if (!list) return;
    const kept = list.filter((s) => s !== slot);
    if (kept.length === 0) this.patientsByKey.delete(key);
    else this.patientsByKey.set(key, kept);
  }

  /** Collects the distinct slots under the keys into `found`; returns how many. Unsorted: `decide` does not depend on candidate order. */
  private collect(keys: readonly string[]): number {
    const epoch = this.table.nextEpoch();
    let n = 0;
    for (const k of keys) {
      const list = this.patientsByKey.get(k);
      if (!list) continue;
      if (n + list.length > this.found.length) {
        const bigger = new Int32Array(Math.max(2 * this.found.length, n + list.length));
        bigger.set(this.found.subarray(0, n));
        this.found = bigger;
      }
      for (let j = 0; j < list.length; j++) {
        const slot = list[j];
        if (this.table.claim(slot, epoch)) this.found[n++] = slot;
      }
    }
    return n;
  }

  private patientsAt(n: number): PreparedPatient[] {
    const out: PreparedPatient[] = [];
    for (let j = 0; j < n; j++) out.push(this.table.objs[this.found[j]] as PreparedPatient);
    return out;
  }

  private recordsUnder(keys: Iterable<string>): string[] {
    const ids = new Set<string>();
    for (const k of keys) {
      const set = this.recordsByKey.get(k);
      if (set) for (const id of set) ids.add(id);
    }
    return sorted(ids);
  }
}
