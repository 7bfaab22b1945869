import { decide, DecideOptions, LinkDecision } from './decide';
import { LinkageModel } from './model';
import { PatientIdentity, Prepared, PreparedPatient, PreparedRecord, RecordFacts, preparePatient, prepareRecord } from './person';

/**
 * Blocking keys, unioned: a record is compared only with patients sharing at least one key.
 * - `n:` / `c:` a valid NHS / CHI number;
 * - `d:` date of birth with day and month sorted, so a day/month swap lands in the same block;
 * - `p:` NYSIIS code of the family name with the year of birth;
 * - `s:` postcode sector.
 * The same function serves records and patients, so the relation is symmetric: a record and a
 * patient are candidates of each other exactly when their key sets intersect.
 */
export function blockingKeys(p: Prepared): string[] {
  const keys: string[] = [];
  if (p.nhs !== null && p.nhsValid) keys.push(`n:${p.nhs}`);
  if (p.chi !== null && p.chiValid) keys.push(`c:${p.chi}`);
  if (p.dob !== null) {
    const lo = Math.min(p.dobM, p.dobD);
    const hi = Math.max(p.dobM, p.dobD);
    keys.push(`d:${p.dobY}-${lo}-${hi}`);
    if (p.familyCode) keys.push(`p:${p.familyCode}:${p.dobY}`);
  }
  if (p.sector !== null) keys.push(`s:${p.sector}`);
  return keys;
}

interface Slot {
  p: PreparedPatient;
  mark: number;
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
  private readonly patients = new Map<string, { p: PreparedPatient; keys: string[] }>();
  private readonly records = new Map<string, { r: PreparedRecord; keys: string[] }>();
  private readonly patientsByKey = new Map<string, Slot[]>();
  /** Query counter: a slot marked with the current epoch was already collected (no Set per query). */
  private epoch = 0;
  private readonly recordsByKey = new Map<string, Set<string>>();

  get patientCount(): number {
    return this.patients.size;
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
        this.unindexPatient(k, p.patientId);
        touched.add(k);
      }
    }
    const slot: Slot = { p, mark: 0 };
    for (const k of keys) {
      const list = this.patientsByKey.get(k);
      if (list) list.push(slot);
      else this.patientsByKey.set(k, [slot]);
    }
    this.patients.set(p.patientId, { p, keys });
    return this.recordsUnder(touched);
  }

  /** Removes a patient; returns the keys of stored records to re-decide, sorted. */
  removePatient(patientId: string): string[] {
    const old = this.patients.get(patientId);
    if (!old) return [];
    for (const k of old.keys) this.unindexPatient(k, patientId);
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
    return entry ? this.candidatesForKeys(entry.keys) : [];
  }

  /** The patients sharing a blocking key with any record (stored or not). */
  candidatesFor(record: PreparedRecord): PreparedPatient[] {
    return this.candidatesForKeys(blockingKeys(record));
  }

  /** The decision for a stored record against the current patients; null if not stored. */
  decideRecord(recordKey: string, model: LinkageModel, options?: DecideOptions): LinkDecision | null {
    const entry = this.records.get(recordKey);
    return entry ? decide(entry.r, this.candidatesForKeys(entry.keys), model, options) : null;
  }

  private unindexPatient(key: string, patientId: string): void {
    const list = this.patientsByKey.get(key);
    if (!list) return;
    const kept = list.filter((s) => s.p.patientId !== patientId);
    if (kept.length === 0) this.patientsByKey.delete(key);
    else this.patientsByKey.set(key, kept);
  }

  /** Unsorted: `decide` does not depend on candidate order (ties break on patientId). */
  private candidatesForKeys(keys: readonly string[]): PreparedPatient[] {
    const epoch = ++this.epoch;
    const out: PreparedPatient[] = [];
    for (const k of keys) {
      const list = this.patientsByKey.get(k);
      if (!list) continue;
      for (const slot of list) {
        if (slot.mark === epoch) continue;
        slot.mark = epoch;
        out.push(slot.p);
      }
    }
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
