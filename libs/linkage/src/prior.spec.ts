import { defaultModel } from './default-model';
import { decide } from './decide';
import { preparePatient, prepareRecord } from './person';
import fc from 'fast-check';
import { GRID_BITS, MIN_PAIRS, addCounts, emptyCounts, estimatePrior, largestEstimate } from './prior';

describe('estimatePrior (Splink-style λ from the deterministic rule)', () => {
  it('is the deterministic matches over the pairs the rule can judge, on the grid', () => {
    // 4,000 patients, 3,600 with a valid NHS number; 11,000 registrations, 10,000 with one;
    // 900 registrations match deterministically. Hand computation:
    // (900 + 0.5) / (10,000 × 3,600 + 1) = 2.50139e-5; log2 odds = -15.2869; on the 0.25 grid
    // -15.25, so λ = 1 / (1 + 2^15.25) = 1 / 38,969.3 = 2.5661e-5.
    const e = estimatePrior({ records: 11_000, recordsWithNumber: 10_000, patients: 4_000, patientsWithNumber: 3_600, deterministic: 900 }, 2.3e-7);
    expect(e.basis).toBe('estimated');
    expect(e.weight).toBe(-15.25);
    expect(e.prior).toBeCloseTo(2.5661e-5, 8);
  });

  it('follows the cohort: a cohort 25 times larger with as many matches per patient gives the same λ, more matches per patient a larger one', () => {
    const small = estimatePrior(
      { records: 50_000, recordsWithNumber: 45_000, patients: 4_000, patientsWithNumber: 3_600, deterministic: 400 },
      2.3e-7,
    );
    const large = estimatePrior(
      { records: 50_000, recordsWithNumber: 45_000, patients: 100_000, patientsWithNumber: 90_000, deterministic: 10_000 },
      2.3e-7,
    );
    expect(large.weight).toBe(small.weight);
    const denser = estimatePrior(
      { records: 50_000, recordsWithNumber: 45_000, patients: 4_000, patientsWithNumber: 3_600, deterministic: 1_600 },
      2.3e-7,
    );
    expect(denser.weight).toBe(small.weight + 2); // four times the rate: two bits
  });

  it("keeps the model's λ when too few pairs can be judged", () => {
    const few = estimatePrior({ records: 10, recordsWithNumber: 9, patients: 100, patientsWithNumber: 100, deterministic: 3 }, 2.3e-7);
    expect(few).toMatchObject({ basis: 'model', prior: 2.3e-7 });
    expect(9 * 100).toBeLessThan(MIN_PAIRS);
    const none = estimatePrior(emptyCounts(), 1e-6);
    expect(none.basis).toBe('model');
  });

  it('gives a small λ, not zero, when no registration matches yet', () => {
    const e = estimatePrior({ records: 20_000, recordsWithNumber: 20_000, patients: 5_000, patientsWithNumber: 5_000, deterministic: 0 }, 2.3e-7);
    expect(e.prior).toBeGreaterThan(0);
    expect(e.prior).toBeLessThan(1e-8);
  });

  it('is on the grid, so counts a few apart give the same λ', () => {
    const a = estimatePrior({ records: 11_000, recordsWithNumber: 10_000, patients: 4_000, patientsWithNumber: 3_600, deterministic: 900 }, 2.3e-7);
    const b = estimatePrior({ records: 11_003, recordsWithNumber: 10_003, patients: 4_000, patientsWithNumber: 3_600, deterministic: 901 }, 2.3e-7);
    expect(b.weight).toBe(a.weight);
    expect(Math.abs(a.weight / GRID_BITS - Math.round(a.weight / GRID_BITS))).toBeLessThan(1e-12);
  });

  it('never exceeds largestEstimate for the cohort, whatever the extract (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 1e-9, max: 0.4, noNaN: true }),
        (patientsWithNumber, recordsWithNumber, share, modelPrior) => {
          const deterministic = Math.floor(share * recordsWithNumber);
          const e = estimatePrior(
            { records: recordsWithNumber, recordsWithNumber, patients: patientsWithNumber, patientsWithNumber, deterministic },
            modelPrior,
          );
          expect(e.prior).toBeLessThanOrEqual(largestEstimate(patientsWithNumber, modelPrior));
        },
      ),
      { numRuns: 2000, seed: 11 },
    );
    // And it is reached: one registration with a number, matching, against a cohort.
    const P = 99_000;
    expect(estimatePrior({ records: 1, recordsWithNumber: 1, patients: P, patientsWithNumber: P, deterministic: 1 }, 1e-9).prior).toBeLessThanOrEqual(
      largestEstimate(P, 1e-9),
    );
    expect(largestEstimate(P, 1e-9)).toBeLessThan((2 * 1.5) / P);
  });

  it('adds counts field by field', () => {
    const a = { records: 1, recordsWithNumber: 2, patients: 3, patientsWithNumber: 4, deterministic: 5 };
    expect(addCounts(a, a)).toEqual({ records: 2, recordsWithNumber: 4, patients: 6, patientsWithNumber: 8, deterministic: 10 });
  });
});

describe('decide under an estimated prior', () => {
  const patient = preparePatient({
    patientId: 'P1',
    randomisedOn: '2010-01-01',
    nhsNumber: null,
    chiNumber: null,
    dateOfBirth: '1941-02-03',
    sex: 'M',
    familyName: 'Okonkwo',
    givenNames: 'Chidi Emeka',
    postcode: null,
  });
  const record = prepareRecord({
    kind: 'death',
    dateOfDeath: '2012-05-01',
    eventDate: null,
    nhsNumber: null,
    chiNumber: null,
    dateOfBirth: '1941-02-03',
    sex: 'M',
    familyName: 'OKONKWO',
    givenNames: 'CHIDI EMEKA',
    postcode: null,
  });

  it('shifts the match weight by exactly the difference in prior log-odds, and records the prior used', () => {
    const atModel = decide(record, [patient], defaultModel);
    const atTrial = decide(record, [patient], defaultModel, { prior: 2.5637e-5 });
    expect(atModel.prior).toBe(defaultModel.prior);
    expect(atTrial.prior).toBe(2.5637e-5);
    const shift = Math.log2(2.5637e-5 / (1 - 2.5637e-5)) - Math.log2(defaultModel.prior / (1 - defaultModel.prior));
    expect((atTrial.weight as number) - (atModel.weight as number)).toBeCloseTo(shift, 1); // weights are rounded to 0.01
  });

  it('links, in a small trial, the registration with exact names, date of birth and sex but no number or postcode', () => {
    const atModel = decide(record, [patient], defaultModel);
    const atTrial = decide(record, [patient], defaultModel, { prior: 2.5637e-5 });
    expect(atModel.decision).toBe('review');
    expect(atTrial.decision).toBe('linked');
  });
});
