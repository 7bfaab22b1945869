import { LinkageIndex } from './blocking';
import { decide, deterministicMatches, holdsOtherNumber, isDeterministicMatch } from './decide';
import { priorModel } from './default-model';
import { isValidChiNumber, modulus11CheckDigit } from './identifiers';
import { compare } from './levels';
import { LinkageModel, compileModel, parseModel, serialiseModel } from './model';
import { PatientIdentity, RecordFacts, preparePatient, prepareRecord } from './person';
import { DEATH_FACTS, PATIENT } from '../../../test/support/feeds';

const patient: PatientIdentity = PATIENT;
const record: RecordFacts = DEATH_FACTS;
const model: LinkageModel = priorModel;
const run = (r: Partial<RecordFacts>, patients: PatientIdentity[] = [patient], m = model) =>
  decide(prepareRecord({ ...record, ...r }), patients.map(preparePatient), m);

describe('deterministic rule', () => {
  it('links a valid equal number corroborated by date of birth', () => {
    const d = run({ familyName: 'JONES', sex: 'F' });
    expect(d).toMatchObject({ decision: 'linked', patientId: 'BCIS1-0001', method: 'deterministic', modelVersion: model.version });
  });
  it('links a valid equal number corroborated by sex and family name', () => {
    expect(run({ dateOfBirth: '1950-06-06' })).toMatchObject({ decision: 'linked', method: 'deterministic' });
  });
  it('scores a valid equal number whose other details all disagree like any candidate', () => {
    const r = prepareRecord({ ...record, dateOfBirth: '1970-07-07', sex: 'F', familyName: 'PATEL', givenNames: 'ANITA', postcode: 'M1 1AA' });
    const p = preparePatient(patient);
    expect(isDeterministicMatch(r, p, compare(r, p))).toBe(false);
    const d = run({ dateOfBirth: '1970-07-07', sex: 'F', familyName: 'PATEL', givenNames: 'ANITA', postcode: 'M1 1AA' });
    expect(d.method).toBe('probabilistic');
    expect(d.decision).not.toBe('linked');
  });
  it('does not use an invalid number deterministically', () => {
    const d = run({ nhsNumber: '9434765918', familyName: 'JONES', givenNames: 'MARY', sex: 'F', postcode: null });
    expect(d.method).toBe('probabilistic');
  });
  it('never links on a damaged (invalid) number, but counts it as evidence: equal is exact, one edit away is near', () => {
    // 9434765918 fails Modulus 11 (a typo of 9434765919 in the registration).
    const damaged = '9434765918';
    const details = { familyName: 'JONES', givenNames: 'MARY', sex: 'F' as const, postcode: null };
    const idx = new LinkageIndex();
    idx.upsertPatient(patient);
    const oneEdit = run({ nhsNumber: damaged, ...details });
    expect(oneEdit).toMatchObject({ method: 'probabilistic', fields: { identifier: { level: 'near' } } });
    expect(oneEdit.fields.identifier!.weight).toBeGreaterThan(0);
    // The same damaged number on both sides (and every corroboration the rule asks for) is
    // exact evidence, still not a deterministic link.
    const both = run({ nhsNumber: damaged }, [{ ...patient, nhsNumber: damaged }]);
    expect(both).toMatchObject({ method: 'probabilistic', fields: { identifier: { level: 'exact' } } });
    expect(both.fields.identifier!.weight).toBeGreaterThan(0);
    const r = prepareRecord({ ...record, nhsNumber: damaged });
    const p = preparePatient({ ...patient, nhsNumber: damaged });
    expect(isDeterministicMatch(r, p, compare(r, p))).toBe(false);
    // The index decides the same (one scoring path).
    expect(idx.decideFor(prepareRecord({ ...record, nhsNumber: damaged, ...details }), model)).toEqual(oneEdit);
  });
  it('sends two patients sharing the number to review', () => {
    const d = run({}, [patient, { ...patient, patientId: 'BCIS1-0002' }]);
    expect(d).toMatchObject({ decision: 'review', reason: 'identifier-conflict' });
  });
});

describe('probabilistic rule', () => {
  it('links a strong match without a number', () => {
    const d = run({ nhsNumber: null });
    expect(d).toMatchObject({ decision: 'linked', method: 'probabilistic', patientId: 'BCIS1-0001' });
    expect(d.weight).toBeGreaterThanOrEqual(model.thresholds.link);
    expect(d.fields.identifier).toEqual({ level: 'absent', weight: 0 });
  });
  it('reports per-field evidence that sums to the weight with the prior', () => {
    const d = run({ nhsNumber: null, postcode: 'SE1 7PB' });
    const sum = Object.values(d.fields).reduce((a, f) => a + (f?.weight ?? 0), compileModel(model).priorWeight);
    expect(sum).toBeCloseTo(d.weight ?? NaN, 1);
    expect(d.fields.postcode?.level).toBe('sector');
  });
  it('sends a middling match to review and a poor one to unlinked', () => {
    const mid = run({ nhsNumber: null, givenNames: 'J', postcode: null, dateOfBirth: '1941-03-02', familyName: 'SMYTHE' });
    expect(mid.weight).not.toBeNull();
    expect(mid.decision).toBe(mid.weight! >= model.thresholds.link ? 'linked' : mid.weight! >= model.thresholds.review ? 'review' : 'unlinked');
    const poor = run({ nhsNumber: null, givenNames: 'BRENDA', familyName: 'PATEL', sex: 'F', dateOfBirth: '1941-09-09', postcode: 'M1 1AA' });
    expect(poor).toMatchObject({ decision: 'unlinked', patientId: 'BCIS1-0001' });
  });
  it('is unlinked with no candidate', () => {
    expect(run({}, [])).toMatchObject({ decision: 'unlinked', patientId: null, weight: null, candidates: [] });
  });
  it('sends close candidates (twins) to review instead of taking the best', () => {
    const twin: PatientIdentity = { ...patient, patientId: 'BCIS1-0009', nhsNumber: '4010232137', givenNames: 'John Peter' };
    const d = run({ nhsNumber: null, givenNames: 'JOHN' }, [patient, twin]);
    expect(d).toMatchObject({ decision: 'review', reason: 'close-candidates' });
    expect(d.candidates.map((c) => c.patientId).sort()).toEqual(['BCIS1-0001', 'BCIS1-0009']);
  });
  it('does not depend on candidate order or duplicates', () => {
    const twin: PatientIdentity = { ...patient, patientId: 'BCIS1-0009', nhsNumber: '4010232137', givenNames: 'John Peter' };
    expect(run({ nhsNumber: null }, [twin, patient, twin])).toEqual(run({ nhsNumber: null }, [patient, twin]));
  });
  it('down-weights an exact match on a common surname', () => {
    const common: LinkageModel = { ...model, version: 'tf', termFrequencies: { familyName: { SMITH: 0.02 } } };
    const a = run({ nhsNumber: null }, [patient], common);
    const b = run({ nhsNumber: null }, [patient], model);
    expect(a.fields.familyName!.weight).toBeLessThan(b.fields.familyName!.weight);
  });
});

describe('death before randomisation', () => {
  it('goes to review, never linked', () => {
    expect(run({ dateOfDeath: '2005-01-01' })).toMatchObject({ decision: 'review', reason: 'death-before-randomisation', patientId: 'BCIS1-0001' });
  });
  it('does not apply to embarkation', () => {
    expect(run({ kind: 'embarkation', dateOfDeath: null, eventDate: '2005-01-01' }).decision).toBe('linked');
  });
});

describe('model storage', () => {
  it('round-trips through JSON and rejects a broken model', () => {
    const parsed = parseModel(serialiseModel(model));
    expect(parsed).toEqual({ ok: true, model });
    expect(parseModel('{')).toMatchObject({ ok: false, code: 'invalid-model' });
    const broken = JSON.parse(serialiseModel(model));
    broken.fields.sex.same.m = 2;
    expect(parseModel(JSON.stringify(broken))).toMatchObject({ ok: false, code: 'invalid-model' });
  });
});

describe('cross-trial owners (ownersElsewhere)', () => {
  // The record's own patient is in another trial; here is a look-alike with another valid number.
  const lookAlike: PatientIdentity = { ...patient, patientId: 'T2-0007', nhsNumber: '4010232137' };
  const owner = { trialId: 'T1', patientId: 'BCIS1-0001' };
  const withOwners = (r: Partial<RecordFacts>, patients: PatientIdentity[], ownersElsewhere: { trialId: string; patientId: string }[]) =>
    decide(prepareRecord({ ...record, ...r }), patients.map(preparePatient), model, { ownersElsewhere });

  it('links the look-alike by name when nothing says the record is someone else’s (the rule needs an owner)', () => {
    const d = run({}, [lookAlike]);
    expect(d).toMatchObject({ decision: 'linked', method: 'probabilistic', patientId: 'T2-0007', competing: [] });
    expect(d.fields.identifier?.level).toBe('other');
  });
  it('sends a look-alike with another valid NHS number to review when the record is owned by number elsewhere', () => {
    const d = withOwners({}, [lookAlike], [owner]);
    expect(d).toMatchObject({ decision: 'review', reason: 'identifier-conflict', method: 'probabilistic', patientId: 'T2-0007', competing: [owner] });
    expect(d.candidates.map((c) => c.patientId)).toEqual(['T2-0007']);
  });
  it('does the same for CHI numbers', () => {
    const chi = (ddmmyy: string, serial: string): string => {
      const first9 = ddmmyy + serial;
      return first9 + String(modulus11CheckDigit(first9));
    };
    const [mine, other] = [chi('030241', '123'), chi('030241', '125')];
    expect([isValidChiNumber(mine), isValidChiNumber(other)]).toEqual([true, true]);
    const scot: PatientIdentity = { ...patient, patientId: 'T2-0008', nhsNumber: null, chiNumber: other };
    expect(withOwners({ nhsNumber: null, chiNumber: mine }, [scot], [owner])).toMatchObject({ decision: 'review', reason: 'identifier-conflict' });
    expect(withOwners({ nhsNumber: null, chiNumber: mine }, [scot], [])).toMatchObject({ decision: 'linked' });
  });
  it('links a candidate without a number of the record’s kind as usual: the same person co-enrolled', () => {
    const coEnrolled: PatientIdentity = { ...patient, patientId: 'T2-0009', nhsNumber: null };
    const d = withOwners({}, [coEnrolled], [owner]);
    expect(d).toMatchObject({ decision: 'linked', method: 'probabilistic', patientId: 'T2-0009', reason: null, competing: [] });
    expect(d.fields.identifier?.level).toBe('absent');
    // A CHI number where the record has only an NHS number is no conflict either.
    const withChi = withOwners({}, [{ ...coEnrolled, chiNumber: '0302411230' }], [owner]);
    expect(withChi.decision).toBe('linked');
  });
  it('is not triggered by an invalid number on the candidate (not a number it holds)', () => {
    const typo: PatientIdentity = { ...patient, patientId: 'T2-0010', nhsNumber: '9434765918' };
    expect(withOwners({}, [typo], [owner])).toEqual(run({}, [typo]));
  });
  it('keeps this trial’s own deterministic match (co-enrolled under the same number)', () => {
    const same: PatientIdentity = { ...patient, patientId: 'T2-0011' };
    expect(withOwners({}, [same, lookAlike], [owner])).toMatchObject({
      decision: 'linked',
      method: 'deterministic',
      patientId: 'T2-0011',
      competing: [],
    });
  });
  it('turns a between-thresholds review into identifier-conflict, and leaves unlinked alone', () => {
    // Everything but the postcode agrees: -4.3 bits for the other number leave it between the thresholds.
    const weak = { postcode: null };
    const mid = run(weak, [lookAlike]);
    expect(mid.decision).toBe('review');
    expect(mid.reason).toBe('between-thresholds');
    expect(withOwners(weak, [lookAlike], [owner])).toMatchObject({ decision: 'review', reason: 'identifier-conflict' });
    const poor = { givenNames: 'BRENDA', familyName: 'PATEL', sex: 'F' as const, dateOfBirth: '1941-09-09', postcode: 'M1 1AA' };
    expect(withOwners(poor, [lookAlike], [owner])).toMatchObject({ decision: 'unlinked', competing: [] });
  });
  it('reports the owners sorted and once, whatever order they came in', () => {
    const owners = [{ trialId: 'T3', patientId: 'B' }, owner, { trialId: 'T3', patientId: 'A' }, owner];
    expect(withOwners({}, [lookAlike], owners).competing).toEqual([owner, { trialId: 'T3', patientId: 'A' }, { trialId: 'T3', patientId: 'B' }]);
    expect(withOwners({}, [lookAlike], owners)).toEqual(withOwners({}, [lookAlike], [...owners].reverse()));
  });
  it('decides the same through LinkageIndex.decideFor (what `followup link` runs)', () => {
    const idx = new LinkageIndex();
    const coEnrolled: PatientIdentity = { ...patient, patientId: 'T2-0009', nhsNumber: null, givenNames: 'John' };
    [lookAlike, coEnrolled].forEach((p) => idx.upsertPatient(p));
    const r = prepareRecord(record);
    for (const maxCandidates of [0, 3]) {
      const options = { maxCandidates, ownersElsewhere: [owner] };
      expect(idx.decideFor(r, model, options)).toEqual(decide(r, idx.candidatesFor(r), model, options));
    }
    expect(idx.decideFor(r, model, { ownersElsewhere: [owner] })).toMatchObject({
      decision: 'review',
      reason: 'identifier-conflict',
      patientId: 'T2-0007',
    });
  });
  it('finds the deterministic matches a caller passes on as owners', () => {
    const r = prepareRecord(record);
    const ps = [patient, lookAlike, { ...patient, patientId: 'X', dateOfBirth: '1970-01-01', familyName: 'Jones' }].map(preparePatient);
    expect(deterministicMatches(r, ps).map((p) => p.patientId)).toEqual(['BCIS1-0001']);
    expect(holdsOtherNumber(r, preparePatient(lookAlike))).toBe(true);
    expect(holdsOtherNumber(r, preparePatient({ ...lookAlike, nhsNumber: null }))).toBe(false);
  });
});
