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
  /**
   * The date of birth is not the identity's own but the one its CHI number was issued with
   * (a registration with no date of birth: `prepareRecord`). It is compared at a lower level
   * (levels.ts `compareDateOfBirth`) and never corroborates a deterministic link.
   */
  dobFromChi: boolean;
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

/** Oldest age at death taken as plausible when choosing the century of a CHI's DDMMYY. */
const OLDEST = 110;

/**
 * The date of birth a valid CHI number was issued with (its DDMMYY prefix), for a registration
 * that records none; null when the number is absent or fails its check. The century is the
 * 1900s unless that makes the person older than OLDEST at `onOrAfter` (the death or event
 * date), and never a birth after it. A trial's patients are adults born in the 1900s, so the
 * choice matters only for the very old and the very young.
 */
export function dobOfChi(chi: string | null, chiValid: boolean, onOrAfter: string | null): string | null {
  if (chi === null || !chiValid) return null;
  const dd = chi.slice(0, 2),
    mm = chi.slice(2, 4),
    yy = chi.slice(4, 6);
  const ref = onOrAfter !== null && /^\d{4}-\d{2}-\d{2}$/.test(onOrAfter) ? onOrAfter : null;
  const in1900s = `19${yy}-${mm}-${dd}`;
  const in2000s = `20${yy}-${mm}-${dd}`;
  const real = (iso: string): boolean => {
    const t = Date.UTC(Number(iso.slice(0, 4)), Number(mm) - 1, Number(dd));
    return new Date(t).toISOString().slice(0, 10) === iso;
  };
  if (ref !== null && Number(ref.slice(0, 4)) - (1900 + Number(yy)) > OLDEST && in2000s <= ref && real(in2000s)) return in2000s;
  return real(in1900s) ? in1900s : real(in2000s) ? in2000s : null;
}

function withDob<T extends Prepared>(p: T, dob: string): T {
  const y = Number(dob.slice(0, 4)),
    m = Number(dob.slice(5, 7)),
    d = Number(dob.slice(8, 10));
  return { ...p, dob, dobFromChi: true, dobY: y, dobM: m, dobD: d, dobDays: Date.UTC(y, m - 1, d) / 86_400_000 };
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
    dobFromChi: false,
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

/**
 * A registry record prepared. With no date of birth of its own but a valid CHI number, it takes
 * the date of birth the CHI was issued with (`dobOfChi`, `dobFromChi`): a same-named relative
 * registered without a date of birth then disagrees on it instead of carrying no evidence,
 * and the row is blocked by it. `chiValid` stays the structural check: the
 * number is not checked against a date taken from itself.
 */
export function prepareRecord(r: RecordFacts): PreparedRecord {
  const out = prepareIdentity(r) as PreparedRecord;
  out.kind = r.kind;
  out.dateOfDeath = r.dateOfDeath;
  out.eventDate = r.eventDate;
  if (out.dob !== null) return out;
  const implied = dobOfChi(out.chi, out.chiValid, r.dateOfDeath ?? r.eventDate);
  return implied === null ? out : withDob(out, implied);
}
