import { decide, isDeterministicMatch } from './decide';
import { priorModel } from './default-model';
import { compare } from './levels';
import { LinkageModel, compileModel, parseModel, serialiseModel } from './model';
import { PatientIdentity, RecordFacts, preparePatient, prepareRecord } from './person';

const patient: PatientIdentity = {
  patientId: 'BCIS1-0001', randomisedOn: '2006-03-14', nhsNumber: '9434765919', chiNumber: null,
  dateOfBirth: '1941-02-03', sex: 'M', familyName: 'Smith', givenNames: 'John Paul', postcode: 'SE1 7EH',
};
const record: RecordFacts = {
  kind: 'death', dateOfDeath: '2009-06-30', eventDate: null, nhsNumber: '9434765919', chiNumber: null,
  dateOfBirth: '1941-02-03', sex: 'M', familyName: 'SMITH', givenNames: 'JOHN PAUL', postcode: 'SE1 7EH',
};
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
