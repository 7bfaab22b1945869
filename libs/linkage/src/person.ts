import { checkChiNumber, isValidNhsNumber, normaliseIdentifier } from './identifiers';
import { nysiis } from './nysiis';

/**
 * The identifying details linkage compares: a randomised patient's or a registry record's.
 * Plain data in the shapes of feeds.md (PatientRandomised, RegistryRecord); null = missing.
 */
export interface Identity {
  nhsNumber: string | null;
  chiNumber: string | null;
  dateOfBirth: string | null;
  sex: 'M' | 'F' | 'U' | null;
  familyName: string | null;
  givenNames: string | null;
  postcode: string | null;
}

export interface PatientIdentity extends Identity {
  patientId: string;
  /** Randomisation date `YYYY-MM-DD`: a death dated before it goes to review. */
  randomisedOn: string | null;
}

/** What the decision needs to know about the record besides identity. */
export interface RecordFacts extends Identity {
  kind: 'death' | 'death-cancelled' | 'embarkation' | 're-entry' | 'no-trace';
  dateOfDeath: string | null;
  eventDate: string | null;
}

/** An identity normalised once (names upper case letters, postcode parts, valid identifiers). */
export interface Prepared {
  /** The NHS number as given (digits only), valid or not; `nhsValid` says which. */
  nhs: string | null;
  nhsValid: boolean;
  chi: string | null;
  /** CHI structure and agreement with this identity's own date of birth and sex (when known). */
  chiValid: boolean;
  dob: string | null;
  dobY: number;
  dobM: number;
  dobD: number;
  /** Days since 1970-01-01 of the date of birth (0 when missing). */
  dobDays: number;
  sex: 'M' | 'F' | null;
  /** Family name: tokens joined by one space; `familyKey` with no separators. */
  family: string | null;
  familyKey: string | null;
  familyTokens: string[];
  familyCode: string;
  given: string | null;
  givenTokens: string[];
  postcode: string | null;
  sector: string | null;
  district: string | null;
}

export interface PreparedPatient extends Prepared {
  patientId: string;
  randomisedOn: string | null;
}

export interface PreparedRecord extends Prepared {
  kind: RecordFacts['kind'];
  dateOfDeath: string | null;
  eventDate: string | null;
}

/** Upper case, letters only, tokens split on spaces, hyphens and apostrophes (O'BRIEN = OBRIEN). */
export function nameTokens(raw: string | null): string[] {
  if (raw === null) return [];
  return raw
    .toUpperCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f']/g, '')
    .split(/[^A-Z]+/)
    .filter((t) => t.length > 0);
}

/** UK postcode parts: full `OUT IN`, sector `OUT D`, district `OUT`; null when not a postcode. */
export function postcodeParts(raw: string | null): { full: string; sector: string; district: string } | null {
  if (raw === null) return null;
  const s = raw.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (!/^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$/.test(s)) return null;
  const out = s.slice(0, -3);
  const inward = s.slice(-3);
  return { full: `${out} ${inward}`, sector: `${out} ${inward[0]}`, district: out };
}

function digitsOrNull(raw: string | null): string | null {
  if (raw === null) return null;
  const v = normaliseIdentifier(raw);
  return v.length > 0 ? v : null;
}

export function prepareIdentity(p: Identity): Prepared {
  const nhs = digitsOrNull(p.nhsNumber);
  const chi = digitsOrNull(p.chiNumber);
  const dob = p.dateOfBirth && /^\d{4}-\d{2}-\d{2}$/.test(p.dateOfBirth) ? p.dateOfBirth : null;
  const familyTokens = nameTokens(p.familyName);
  const givenTokens = nameTokens(p.givenNames);
  const pc = postcodeParts(p.postcode);
  const familyKey = familyTokens.length ? familyTokens.join('') : null;
  const sex = p.sex === 'M' || p.sex === 'F' ? p.sex : null;
  return {
    nhs,
    nhsValid: isValidNhsNumber(nhs),
    chi,
    // Checked against the identity's own date of birth and sex, not only its structure: a CHI
    // number keeps the date of birth it was issued with, so one whose prefix disagrees may be a
    // real number of this person, or another's. Invalid, it is still compared (exact, near,
    // other) as evidence, but never links deterministically (feeds.md, "Identifier checks").
    chiValid: chi !== null && checkChiNumber(chi, { dateOfBirth: dob, sex }).ok,
    dob,
    dobY: dob ? Number(dob.slice(0, 4)) : 0,
    dobM: dob ? Number(dob.slice(5, 7)) : 0,
    dobD: dob ? Number(dob.slice(8, 10)) : 0,
    dobDays: dob ? Date.UTC(Number(dob.slice(0, 4)), Number(dob.slice(5, 7)) - 1, Number(dob.slice(8, 10))) / 86_400_000 : 0,
    sex,
    family: familyTokens.length ? familyTokens.join(' ') : null,
    familyKey,
    familyTokens,
    familyCode: familyKey ? nysiis(familyKey) : '',
    given: givenTokens.length ? givenTokens.join(' ') : null,
    givenTokens,
    postcode: pc ? pc.full : null,
    sector: pc ? pc.sector : null,
    district: pc ? pc.district : null,
  };
}

// The extra fields are added to the fresh Prepared rather than spread into a new object: V8
// builds `{ ...a, b }` on a slow runtime path (about 6 µs a call measured here), and every
// patient and every registry row is prepared. Same keys in the same order as the spread.
export function preparePatient(p: PatientIdentity): PreparedPatient {
  const out = prepareIdentity(p) as PreparedPatient;
  out.patientId = p.patientId;
  out.randomisedOn = p.randomisedOn;
  return out;
}

export function prepareRecord(r: RecordFacts): PreparedRecord {
  const out = prepareIdentity(r) as PreparedRecord;
  out.kind = r.kind;
  out.dateOfDeath = r.dateOfDeath;
  out.eventDate = r.eventDate;
  return out;
}
