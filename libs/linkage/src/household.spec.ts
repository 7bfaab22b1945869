import { LinkageIndex } from './blocking';
import { decide, isDeterministicMatch } from './decide';
import { defaultModel } from './default-model';
import { isValidChiNumber, isValidNhsNumber, modulus11CheckDigit } from './identifiers';
import { compare, compareDateOfBirth } from './levels';
import { compileModel, parseModel, serialiseModel } from './model';
import { PatientIdentity, RecordFacts, dobOfChi, preparePatient, prepareRecord } from './person';

/**
 * Household members: twins and same-named relatives share the fields
 * Fellegi-Sunter multiplies as independent, so under a small trial's prior they can score
 * above the link threshold. A registration whose valid number differs from the patient's
 * valid one links automatically only when the given names and the date of birth agree
 * (conclude.ts `conflictUnresolved`); one with no number agreeing, at the patient's address
 * under the family name but with other given names, goes to review (`householdUnconfirmed`);
 * a registration with no date of birth is compared on the
 * date its CHI was issued with (person.ts `dobOfChi`, levels.ts `impliedDobLevel`).
 */

const chi = (ddmmyy: string, serial: string): string => {
  const first9 = ddmmyy + serial;
  return first9 + String(modulus11CheckDigit(first9));
};

// A small trial's λ (about what `followup link` estimates for 2,000 patients × 8,000 rows).
const prior = 1e-4;

const patient: PatientIdentity = {
  patientId: 'T-0001',
  randomisedOn: '2023-03-01',
  nhsNumber: '9434765919',
  chiNumber: null,
  dateOfBirth: '1951-02-03',
  sex: 'M',
  familyName: 'Okonkwo',
  givenNames: 'Chidi',
  postcode: 'SE1 7EH',
};
// The twin: same date of birth, family name, address and sex; own given name and NHS number.
const twin: RecordFacts = {
  kind: 'death',
  dateOfDeath: '2025-06-30',
  eventDate: null,
  nhsNumber: '4010232137',
  chiNumber: null,
  dateOfBirth: '1951-02-03',
  sex: 'M',
  familyName: 'OKONKWO',
  givenNames: 'EMEKA',
  postcode: 'SE1 7EH',
};

describe('a valid number that differs from the patient’s valid one', () => {
  it('sends a twin scoring above the link threshold to review, not to a link', () => {
    expect([isValidNhsNumber(patient.nhsNumber), isValidNhsNumber(twin.nhsNumber)]).toEqual([true, true]);
    const d = decide(prepareRecord(twin), [preparePatient(patient)], defaultModel, { prior });
    expect(d.weight).toBeGreaterThanOrEqual(defaultModel.thresholds.link);
    expect(d).toMatchObject({ decision: 'review', reason: 'identifier-conflict', method: 'probabilistic', patientId: 'T-0001' });
  });
  it('still links the patient registered with a wrong valid number when given names and date of birth agree', () => {
    const d = decide(prepareRecord({ ...twin, givenNames: 'CHIDI' }), [preparePatient(patient)], defaultModel, { prior });
    expect(d).toMatchObject({ decision: 'linked', reason: null, patientId: 'T-0001' });
  });
  it('sends a same-named relative with no date of birth to review (the date of birth cannot tell them apart)', () => {
    const relative = { ...twin, givenNames: 'CHIDI', dateOfBirth: null };
    const d = decide(prepareRecord(relative), [preparePatient(patient)], defaultModel, { prior });
    expect(d.weight).toBeGreaterThanOrEqual(defaultModel.thresholds.link);
    expect(d).toMatchObject({ decision: 'review', reason: 'identifier-conflict' });
  });
  it('does not apply without a number on one side: nothing says the numbers differ', () => {
    const d = decide(prepareRecord({ ...twin, givenNames: 'CHIDI', nhsNumber: null }), [preparePatient(patient)], defaultModel, { prior });
    expect(d.decision).toBe('linked');
  });
  it('decides the same through the index (one scoring path) and through followup link’s deferred ranking', () => {
    const idx = new LinkageIndex();
    idx.upsertPatient(patient);
    const r = prepareRecord(twin);
    expect(idx.decideFor(r, defaultModel, { prior })).toEqual(decide(r, [preparePatient(patient)], defaultModel, { prior }));
    expect(idx.decideFor(r, defaultModel, { prior, maxCandidates: 0 })).toMatchObject({ decision: 'review', reason: 'identifier-conflict' });
  });
});

describe('a household member registered with no number at the patient’s address', () => {
  // The twin again, without an NHS number: family name, date of birth, sex and full postcode
  // agree, the given names share nothing. Nothing but the given names sets the two apart.
  const unnumbered: RecordFacts = { ...twin, nhsNumber: null };

  it('goes to review (household-member) even when it scores above the link threshold', () => {
    const d = decide(prepareRecord(unnumbered), [preparePatient(patient)], defaultModel, { prior });
    expect(d.weight).toBeGreaterThanOrEqual(defaultModel.thresholds.link);
    expect(d).toMatchObject({ decision: 'review', reason: 'household-member', method: 'probabilistic', patientId: 'T-0001' });
    expect(d.fields).toMatchObject({ identifier: { level: 'absent' }, postcode: { level: 'full' }, givenNames: { level: 'other' } });
  });
  it('with a family name typo too (any agreeing level of the family name)', () => {
    const d = decide(prepareRecord({ ...unnumbered, familyName: 'OKONKWOO' }), [preparePatient(patient)], defaultModel, { prior });
    expect(d.fields.familyName?.level).not.toBe('exact');
    expect(d.fields.familyName?.level).not.toBe('other');
    expect(d).toMatchObject({ decision: 'review', reason: 'household-member' });
  });
  it('still links the patient when the given names agree, or when the number does', () => {
    const self = decide(prepareRecord({ ...unnumbered, givenNames: 'CHIDI' }), [preparePatient(patient)], defaultModel, { prior });
    expect(self).toMatchObject({ decision: 'linked', reason: null });
    const numbered = decide(prepareRecord({ ...unnumbered, nhsNumber: patient.nhsNumber }), [preparePatient(patient)], defaultModel, { prior });
    expect(numbered).toMatchObject({ decision: 'linked' });
  });
  it('does not apply away from the address: the given names are then one disagreement among others', () => {
    const moved = decide(prepareRecord({ ...unnumbered, postcode: 'LS6 2QT' }), [preparePatient(patient)], defaultModel, { prior });
    expect(moved.reason).not.toBe('household-member');
  });
  it('decides the same through the index and through followup link’s deferred ranking', () => {
    const idx = new LinkageIndex();
    idx.upsertPatient(patient);
    const r = prepareRecord(unnumbered);
    expect(idx.decideFor(r, defaultModel, { prior })).toEqual(decide(r, [preparePatient(patient)], defaultModel, { prior }));
    expect(idx.decideFor(r, defaultModel, { prior, maxCandidates: 0 })).toMatchObject({ decision: 'review', reason: 'household-member' });
  });
});

describe('a registration with no date of birth but a CHI number', () => {
  const mine = chi('030251', '123');
  const parents = chi('110823', '127');
  const scot: PatientIdentity = { ...patient, nhsNumber: null, chiNumber: mine };
  const base: RecordFacts = { ...twin, nhsNumber: null, givenNames: 'CHIDI', dateOfBirth: null };

  it('takes the date of birth the CHI was issued with, in the century that makes sense at death', () => {
    expect([isValidChiNumber(mine), isValidChiNumber(parents)]).toEqual([true, true]);
    expect(prepareRecord({ ...base, chiNumber: parents })).toMatchObject({ dob: '1923-08-11', dobFromChi: true });
    expect(dobOfChi(chi('010105', '123'), true, '2026-01-01')).toBe('2005-01-01');
    expect(dobOfChi(chi('010105', '123'), true, '2004-01-01')).toBe('1905-01-01');
    expect(dobOfChi(parents, false, '2026-01-01')).toBeNull();
    // A registration with its own date of birth keeps it.
    expect(prepareRecord({ ...base, chiNumber: parents, dateOfBirth: '1951-02-03' })).toMatchObject({ dob: '1951-02-03', dobFromChi: false });
  });
  it('a same-named parent registered with no date of birth disagrees on it and is not linked', () => {
    const d = decide(prepareRecord({ ...base, chiNumber: parents }), [preparePatient(scot)], defaultModel, { prior });
    expect(d.fields.dateOfBirth?.level).toBe('other');
    expect(d.decision).not.toBe('linked');
  });
  it('an agreeing prefix counts at a lower level than a recorded date, and not at all beside an equal or near CHI', () => {
    const noChi = preparePatient({ ...scot, chiNumber: null });
    const r = prepareRecord({ ...base, chiNumber: mine });
    expect(compareDateOfBirth(r, noChi)).toBe('one-day');
    expect(compareDateOfBirth(r, preparePatient(scot))).toBe('absent');
    const nearChi = preparePatient({ ...scot, chiNumber: mine.slice(0, 7) + mine[8] + mine[7] + mine[9] });
    expect(compare(r, nearChi).identifier).toBe('near');
    expect(compareDateOfBirth(r, nearChi)).toBe('absent');
  });
  it('never corroborates a deterministic link with the date taken from the number itself', () => {
    const r = prepareRecord({ ...base, chiNumber: mine, sex: 'F', familyName: 'SMITH' });
    const p = preparePatient(scot);
    expect(isDeterministicMatch(r, p, compare(r, p))).toBe(false);
  });
});

describe('a same-named parent or child with no number, at the patient’s address', () => {
  const relative: RecordFacts = { ...twin, nhsNumber: null, givenNames: 'CHIDI', dateOfBirth: '1979-10-12' };
  it('is not linked: a date of birth with neither day and month nor year in common counts against more than a year’s typo', () => {
    const d = decide(prepareRecord(relative), [preparePatient(patient)], defaultModel, { prior });
    expect(d.fields.dateOfBirth?.level).toBe('other');
    expect(d.decision).not.toBe('linked');
    const typo = decide(prepareRecord({ ...relative, dateOfBirth: '1952-02-03' }), [preparePatient(patient)], defaultModel, { prior });
    expect(typo.fields.dateOfBirth?.level).toBe('other-year');
    expect(typo.fields.dateOfBirth!.weight).toBeGreaterThan(d.fields.dateOfBirth!.weight + 5);
  });
});

describe('a model stored before the date of birth level other-year', () => {
  it('still parses, and weighs other-year as it weighed other', () => {
    const old = JSON.parse(serialiseModel(defaultModel)) as { fields: { dateOfBirth: Record<string, unknown> } };
    delete old.fields.dateOfBirth['other-year'];
    const parsed = parseModel(JSON.stringify(old));
    if (!parsed.ok) throw new Error(parsed.reason);
    const w = compileModel(parsed.model).weights.dateOfBirth;
    expect(w['other-year']).toBe(w.other);
  });
});
