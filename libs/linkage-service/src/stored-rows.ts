import { isRecord } from '@trial/contracts';

// The linkage store's rows as read back (store.ts), checked with @trial/contracts checkedRows:
// by type, since every read here is per batch (thousands of records and patients), where a zod
// parse costs 10 to 25 µs a row (bench/stored-rows.ts). A row that fails is a StoredRowError
// naming the table and column; nothing of its value is said.

const str = (x: unknown) => typeof x === 'string';
const strOrNull = (x: unknown) => x === null || typeof x === 'string';

/** lk_patients.identity (PatientIdentity without its id): the fields linkage compares. */
export function identityProblem(r: Record<string, unknown>): string | null {
  const i = r.identity;
  if (!isRecord(i)) return 'identity: must be an object';
  // Absent reads as missing, as it always has (linkage compares what is there).
  for (const k of ['nhsNumber', 'chiNumber', 'dateOfBirth', 'familyName', 'givenNames', 'postcode', 'randomisedOn'] as const) {
    if (!(i[k] === undefined || strOrNull(i[k]))) return `identity.${k}: must be text or null`;
  }
  if (!(i.sex === undefined || i.sex === null || i.sex === 'M' || i.sex === 'F' || i.sex === 'U')) return 'identity.sex: must be M, F, U or null';
  return null;
}

/** lk_record_versions.record (RegistryRecord, as decoded from registry.notifications): what keys and decisions read. */
export function recordProblem(r: Record<string, unknown>): string | null {
  const x = r.record;
  if (!isRecord(x)) return 'record: must be an object';
  if (!str(x.source) || !str(x.recordId) || !str(x.kind)) return 'record: source, recordId and kind must be text';
  if (typeof x.version !== 'number') return 'record.version: must be a number';
  return null;
}

/** lk_links (LinkState): status, version and seq, and the JSON of the fact emitted and the clerical decision. */
export function linkProblem(r: Record<string, unknown>): string | null {
  if (!str(r.source) || !str(r.recordId) || !str(r.trialId)) return 'source, record_id, trial_id: must be text';
  if (!(r.status === 'linked' || r.status === 'review' || r.status === 'unlinked')) return 'status: must be linked, review or unlinked';
  if (typeof r.version !== 'number' || typeof r.seq !== 'number') return 'version, seq: must be numbers';
  if (!(r.emitted === null || (isRecord(r.emitted) && str(r.emitted.patientId) && str(r.emitted.kind) && typeof r.emitted.version === 'number'))) {
    return 'emitted: must be a fact emitted or null';
  }
  if (!(r.clerical === null || (isRecord(r.clerical) && (r.clerical.decision === 'accept' || r.clerical.decision === 'reject')))) {
    return 'clerical: must be a clerical decision or null';
  }
  return null;
}

/** lk_reviews.candidates as the review decision reads them: the candidates' patient ids. */
export function candidatesProblem(r: Record<string, unknown>): string | null {
  if (!Array.isArray(r.candidates) || !r.candidates.every((c) => isRecord(c) && str(c.patientId))) return 'candidates: must be a list of candidates';
  return null;
}
