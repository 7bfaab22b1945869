import { jaroWinkler } from './jaro-winkler';
import { Prepared } from './person';

/**
 * Comparison levels, one set per field (the list). `absent` means the field is missing
 * on either side: it carries no evidence (weight 0), as in Splink's null level.
 */
export const fieldLevels = {
  identifier: ['exact', 'near', 'other', 'absent'],
  dateOfBirth: ['exact', 'swap', 'one-day', 'same-year', 'other-year', 'other', 'absent'],
  sex: ['same', 'differ', 'absent'],
  familyName: ['exact', 'jw92', 'jw88', 'partial', 'other', 'absent'],
  givenNames: ['exact', 'jw92', 'jw88', 'partial', 'other', 'absent'],
  postcode: ['full', 'sector', 'district', 'other', 'absent'],
} as const;

export type FieldName = keyof typeof fieldLevels;
export const fieldNames = Object.keys(fieldLevels) as FieldName[];
export type LevelOf<F extends FieldName> = (typeof fieldLevels)[F][number];
export type IdentifierLevel = LevelOf<'identifier'>;
export type DobLevel = LevelOf<'dateOfBirth'>;
export type SexLevel = LevelOf<'sex'>;
export type NameLevel = LevelOf<'familyName'>;
export type PostcodeLevel = LevelOf<'postcode'>;

/** A comparison vector: one level per field. */
export interface Comparison {
  identifier: IdentifierLevel;
  dateOfBirth: DobLevel;
  sex: SexLevel;
  familyName: NameLevel;
  givenNames: NameLevel;
  postcode: PostcodeLevel;
}

/** One substituted digit, or two adjacent digits swapped, on equal-length numbers. */
export function oneEditApart(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let first = -1;
  let diffs = 0;
  for (let i = 0; i < a.length; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) {
      if (diffs === 0) first = i;
      diffs++;
      if (diffs > 2) return false;
    }
  }
  if (diffs === 1) return true;
  return diffs === 2 && a[first] === b[first + 1] && a[first + 1] === b[first];
}

function compareNumbers(a: string | null, b: string | null): IdentifierLevel {
  if (a === null || b === null) return 'absent';
  if (a === b) return 'exact';
  return oneEditApart(a, b) ? 'near' : 'other';
}

const idRank: Record<IdentifierLevel, number> = { exact: 0, near: 1, other: 2, absent: 3 };

/** NHS with NHS and CHI with CHI; the better of the two when both are present. */
export function compareIdentifier(a: Prepared, b: Prepared): IdentifierLevel {
  const nhs = compareNumbers(a.nhs, b.nhs);
  const chi = compareNumbers(a.chi, b.chi);
  return idRank[nhs] <= idRank[chi] ? nhs : chi;
}

/**
 * `other-year` (the same day and month in another year) is apart from `other` because the two
 * mean different things: a year mistyped or misremembered is a common error in a registration
 * (g2: 0.5% of its registrations), while a date with neither the day and month nor the year in
 * common is rarely the same person's. Lumped together, `other` weighed a parent or child
 * decades older or younger no more than a year's typo (about -7 bits against the 20 of a
 * shared address).
 */
function compareDates(a: Prepared, b: Prepared): DobLevel {
  if (a.dob === b.dob) return 'exact';
  if (a.dobY === b.dobY && a.dobD === b.dobM && a.dobM === b.dobD) return 'swap';
  if (Math.abs(a.dobDays - b.dobDays) === 1) return 'one-day';
  if (a.dobY === b.dobY) return 'same-year';
  return a.dobM === b.dobM && a.dobD === b.dobD ? 'other-year' : 'other';
}

/**
 * The level of a date of birth one side took from its CHI number (person.ts `dobFromChi`), given
 * the level the dates compare at and the CHI numbers' level.
 * - CHI numbers equal or one edit apart: absent. The prefix is part of the number, whose
 *   agreement the identifier already counts; counting it again would count it twice.
 * - Otherwise agreement counts at the lower level `one-day`, not `exact`: the prefix is the
 *   date the number was issued with (1.2-1.5% of people have had theirs corrected since), its
 *   century is inferred, and twins share it. Disagreement counts in full (`same-year`,
 *   `other-year`, `other`): a number issued for someone born on another day is evidence of another person,
 *   e.g. a same-named parent or child registered with no date of birth.
 */
export function impliedDobLevel(dates: DobLevel, chi: IdentifierLevel): DobLevel {
  if (dates === 'absent' || chi === 'exact' || chi === 'near') return 'absent';
  return dates === 'exact' ? 'one-day' : dates;
}

export function compareDateOfBirth(a: Prepared, b: Prepared): DobLevel {
  if (a.dob === null || b.dob === null) return 'absent';
  const dates = compareDates(a, b);
  return a.dobFromChi || b.dobFromChi ? impliedDobLevel(dates, compareNumbers(a.chi, b.chi)) : dates;
}

export function compareSex(a: Prepared, b: Prepared): SexLevel {
  if (a.sex === null || b.sex === null) return 'absent';
  return a.sex === b.sex ? 'same' : 'differ';
}

function sharesToken(a: string[], b: string[]): boolean {
  for (const t of a) if (b.includes(t)) return true;
  return false;
}

/**
 * Family names: a shared part covers double-barrelled names with one part dropped or reordered.
 * `mayReach88` false: the caller has proven Jaro-Winkler below 0.88 (table.ts jwUpperBound2), so
 * it is not computed; the level is the same.
 */
export function compareFamilyName(a: Prepared, b: Prepared, mayReach88 = true): NameLevel {
  if (a.familyKey === null || b.familyKey === null) return 'absent';
  if (a.familyKey === b.familyKey) return 'exact';
  const jw = mayReach88 ? jaroWinkler(a.familyKey, b.familyKey) : 0;
  if (jw >= 0.92) return 'jw92';
  if (jw >= 0.88) return 'jw88';
  if ((a.familyTokens.length > 1 || b.familyTokens.length > 1) && sharesToken(a.familyTokens, b.familyTokens)) return 'partial';
  return 'other';
}

/** Given names: initials ("J" for JOHN), a middle name dropped, or names reordered count as partial. `mayReach88` as for family names. */
export function compareGivenNames(a: Prepared, b: Prepared, mayReach88 = true): NameLevel {
  if (a.given === null || b.given === null) return 'absent';
  if (a.given === b.given) return 'exact';
  const jw = mayReach88 ? jaroWinkler(a.given, b.given) : 0;
  if (jw >= 0.92) return 'jw92';
  if (jw >= 0.88) return 'jw88';
  const ta = a.givenTokens;
  const tb = b.givenTokens;
  if (ta[0] === tb[0] || sharesToken(ta, tb)) return 'partial';
  // An initial on either side that is the other's first initial.
  if ((ta[0].length === 1 || tb[0].length === 1) && ta[0][0] === tb[0][0]) return 'partial';
  return 'other';
}

export function comparePostcode(a: Prepared, b: Prepared): PostcodeLevel {
  if (a.postcode === null || b.postcode === null) return 'absent';
  if (a.postcode === b.postcode) return 'full';
  if (a.sector === b.sector) return 'sector';
  return a.district === b.district ? 'district' : 'other';
}

/** The comparison vector of two prepared identities. */
export function compare(a: Prepared, b: Prepared): Comparison {
  return {
    identifier: compareIdentifier(a, b),
    dateOfBirth: compareDateOfBirth(a, b),
    sex: compareSex(a, b),
    familyName: compareFamilyName(a, b),
    givenNames: compareGivenNames(a, b),
    postcode: comparePostcode(a, b),
  };
}
