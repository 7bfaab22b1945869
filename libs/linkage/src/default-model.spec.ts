import { decide } from './decide';
import { defaultModel, priorModel } from './default-model';
import { modulus11CheckDigit, isValidNhsNumber } from './identifiers';
import { fieldNames } from './levels';
import { compileModel, parseModel, serialiseModel } from './model';
import { preparePatient, prepareRecord } from './person';
import { contentVersion } from './train';

describe('the shipped model (default-model.json, trained by `npm run train:default`)', () => {
  const w = compileModel(defaultModel).weights;

  it('parses, and its version is the hash of its content', () => {
    expect(parseModel(serialiseModel(defaultModel)).ok).toBe(true);
    expect(defaultModel.version).toBe(contentVersion(defaultModel));
  });

  it('keeps the sane priors: no m or u at 0 or 1, a different number strongly against, agreement for', () => {
    for (const f of fieldNames) {
      for (const p of Object.values(defaultModel.fields[f])) {
        expect(p.m).toBeGreaterThan(1e-6);
        expect(p.m).toBeLessThan(1 - 1e-6);
        expect(p.u).toBeGreaterThan(1e-8);
        expect(p.u).toBeLessThan(1 - 1e-7);
      }
    }
    expect(w.identifier.other).toBeLessThan(-5);
    expect(w.identifier.exact).toBeGreaterThan(w.identifier.near);
    expect(w.identifier.near).toBeGreaterThan(10);
    for (const f of fieldNames) expect(f === 'sex' ? w.sex.differ : w[f].other).toBeLessThan(0);
    expect(defaultModel.thresholds).toEqual(priorModel.thresholds);
  });

  it('links a patient whose number was mistyped at enrolment through the probabilistic path', () => {
    const first9 = '943476591';
    const valid = `${first9}${modulus11CheckDigit(first9)}`;
    const typed = `${valid.slice(0, 3)}${valid[4]}${valid[3]}${valid.slice(5)}`; // adjacent digits swapped
    expect(isValidNhsNumber(typed)).toBe(false);
    const identity = {
      chiNumber: null,
      dateOfBirth: '1941-02-03',
      sex: 'M' as const,
      familyName: 'Smith',
      givenNames: 'John Paul',
      postcode: 'SE1 7EH',
    };
    const patient = preparePatient({ ...identity, patientId: 'P1', randomisedOn: '2006-03-14', nhsNumber: typed });
    const record = prepareRecord({ ...identity, nhsNumber: valid, kind: 'death', dateOfDeath: '2009-06-30', eventDate: null, postcode: 'M1 1AA' });
    const d = decide(record, [patient], defaultModel);
    expect(d).toMatchObject({ decision: 'linked', patientId: 'P1', method: 'probabilistic' });
    expect(d.fields.identifier).toEqual({ level: 'near', weight: Math.round(w.identifier.near * 100) / 100 });
  });
});
