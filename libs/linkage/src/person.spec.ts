// prepareIdentity marks a CHI number valid only if it agrees with the identity's own date of
// birth and sex (feeds.md, "Identifier checks"): a CHI keeps the date of birth it was issued
// with, so one whose prefix disagrees is compared as evidence but never links by itself.
import { decide } from './decide';
import { priorModel } from './default-model';
import { modulus11CheckDigit } from './identifiers';
import { compare } from './levels';
import { PatientIdentity, RecordFacts, prepareIdentity, preparePatient, prepareRecord } from './person';

// 03/02/45, ninth digit 2 (even: female): a structurally sound CHI.
const first9 = '030245122';
const chi = `${first9}${modulus11CheckDigit(first9)}`;
const patient: PatientIdentity = {
  patientId: 'P1',
  randomisedOn: '2007-01-01',
  nhsNumber: null,
  chiNumber: chi,
  dateOfBirth: '1945-02-03',
  sex: 'F',
  familyName: 'Reid',
  givenNames: 'Ann',
  postcode: 'EH1 1AA',
};
const record: RecordFacts = {
  kind: 'death',
  dateOfDeath: '2009-06-30',
  eventDate: null,
  nhsNumber: null,
  chiNumber: chi,
  dateOfBirth: '1945-02-03',
  sex: 'F',
  familyName: 'REID',
  givenNames: 'ANN',
  postcode: 'EH1 1AA',
};

describe("prepareIdentity: CHI validity in the identity's own context", () => {
  it('a CHI that agrees with the date of birth and sex is valid', () => {
    expect(prepareIdentity(record)).toMatchObject({ chi, chiValid: true });
  });

  it('a CHI whose prefix disagrees with the date of birth is kept, marked invalid', () => {
    expect(prepareIdentity({ ...record, dateOfBirth: '1945-03-02' })).toMatchObject({ chi, chiValid: false });
  });

  it('a CHI whose sex digit disagrees is invalid; an unknown sex is not checked', () => {
    expect(prepareIdentity({ ...record, sex: 'M' }).chiValid).toBe(false);
    expect(prepareIdentity({ ...record, sex: 'U' }).chiValid).toBe(true);
    expect(prepareIdentity({ ...record, sex: null, dateOfBirth: null }).chiValid).toBe(true);
  });

  it('a registry death whose CHI prefix disagrees with its date of birth is never a deterministic link, but the equal number is evidence', () => {
    // The recorded date of birth was corrected after the number was issued; the patient's is the corrected one.
    const corrected = { ...record, dateOfBirth: '1945-02-13' };
    const p = preparePatient({ ...patient, dateOfBirth: '1945-02-13' });
    const r = prepareRecord(corrected);
    expect(r.chiValid).toBe(false);
    expect(compare(r, p).identifier).toBe('exact');
    const d = decide(r, [p], priorModel);
    expect(d.method).toBe('probabilistic');
    expect(['linked', 'review']).toContain(d.decision);
    expect(d.patientId).toBe('P1');
    // The same person without the number scores lower: the damaged number was not treated as absent.
    const without = decide(prepareRecord({ ...corrected, chiNumber: null }), [p], priorModel);
    expect(d.weight!).toBeGreaterThan(without.weight!);
  });
});
