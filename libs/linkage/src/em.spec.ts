import { priorModel } from './default-model';
import { countPatterns, estimateByEm, estimateUByRandomSampling, familyNameFrequencies, mWithU, trainModel, uWithoutMatches } from './em';
import { Comparison, compare } from './levels';
import { LinkageModel } from './model';
import { Prepared, prepareIdentity } from './person';
import { seededRng } from './rng';

/** A small generated set: true pairs with a known error rate among random non-pairs. */
function sample(seed: number) {
  const r = seededRng(seed);
  const names = ['SMITH', 'JONES', 'TAYLOR', 'BROWN', 'PATEL', 'WILSON', 'EVANS', 'KHAN', 'REID', 'ROSS'];
  const given = ['JOHN', 'MARY', 'PAUL', 'ANN', 'JAMES', 'SUSAN'];
  const patients: Prepared[] = [];
  const records: Prepared[] = [];
  const pairs: Comparison[] = [];
  for (let i = 0; i < 400; i++) {
    const dob = `19${40 + Math.floor(r() * 30)}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`;
    const p = prepareIdentity({
      nhsNumber: null,
      chiNumber: null,
      dateOfBirth: dob,
      sex: r() < 0.5 ? 'M' : 'F',
      familyName: names[Math.floor(r() * names.length)],
      givenNames: given[Math.floor(r() * given.length)],
      postcode: `SE${1 + Math.floor(r() * 20)} 7EH`,
    });
    patients.push(p);
    const rec = prepareIdentity({
      nhsNumber: null,
      chiNumber: null,
      dateOfBirth: r() < 0.9 ? dob : '1999-01-01',
      sex: p.sex,
      familyName: p.family,
      givenNames: p.given,
      postcode: r() < 0.8 ? p.postcode : 'M1 1AA',
    });
    records.push(rec);
  }
  // Blocked pairs: every true pair and 10 random non-pairs per record.
  for (let i = 0; i < records.length; i++) {
    pairs.push(compare(records[i], patients[i]));
    for (let k = 0; k < 10; k++) pairs.push(compare(records[i], patients[(i + 1 + Math.floor(r() * 399)) % 400]));
  }
  return { patients, records, pairs };
}

describe('EM (Fellegi-Sunter mixture)', () => {
  it('recovers the match share and m of date of birth on a generated set', () => {
    const { patients, records, pairs } = sample(7);
    const u = estimateUByRandomSampling(records, patients, 20_000, seededRng(1));
    const start = mWithU(priorModel.fields, u);
    const em = estimateByEm(countPatterns(pairs), { start, startLambda: 0.2, priorStrength: 5 });
    expect(em.converged).toBe(true);
    expect(em.lambda).toBeGreaterThan(0.07);
    expect(em.lambda).toBeLessThan(0.11); // truth: 1 in 11
    expect(em.fields.dateOfBirth.exact.m).toBeGreaterThan(0.8);
    expect(em.fields.dateOfBirth.exact.m).toBeLessThan(0.97); // truth 0.9
    expect(em.fields.postcode.full.m).toBeGreaterThan(0.65); // truth 0.8
  });
  it('holds the m of fixM fields, and with allPairs estimates λ among all pairs', () => {
    const { patients, records, pairs } = sample(5);
    const u = estimateUByRandomSampling(records, patients, 20_000, seededRng(4));
    const start = mWithU(priorModel.fields, u);
    const em = estimateByEm(countPatterns(pairs), { start, startLambda: 1e-3, allPairs: 400 * 400, fixM: ['postcode'] });
    expect(em.converged).toBe(true);
    expect(em.fields.postcode).toEqual(start.postcode);
    expect(em.fields.dateOfBirth.exact.m).toBeGreaterThan(0.8);
    expect(em.matches).toBeGreaterThan(360); // truth: 400 true pairs
    expect(em.matches).toBeLessThan(440);
    expect(em.lambda).toBeCloseTo(em.matches / (400 * 400), 12);
    expect(() => estimateByEm(countPatterns(pairs), { start, startLambda: 1e-3, allPairs: 10 })).toThrow(RangeError);
  });
  it('clears u of the matches among random pairs, keeping every level above the floor', () => {
    const fields = priorModel.fields;
    const lambda = 1e-3;
    const truth = { exact: 1e-5, near: 1e-6, other: 1 - 1e-5 - 1e-6 };
    const sampled = {} as Record<keyof LinkageModel['fields'], Record<string, number>>;
    for (const [f, levels] of Object.entries(fields)) {
      sampled[f as keyof LinkageModel['fields']] = Object.fromEntries(Object.entries(levels).map(([l, p]) => [l, lambda * p.m + (1 - lambda) * p.u]));
    }
    sampled.identifier = Object.fromEntries(Object.entries(truth).map(([l, u]) => [l, lambda * fields.identifier[l].m + (1 - lambda) * u]));
    const u = uWithoutMatches(sampled, fields, lambda, 1e-7);
    for (const [l, v] of Object.entries(truth)) expect(u.identifier[l]).toBeCloseTo(v, 9);
    expect(u.dateOfBirth.exact / fields.dateOfBirth.exact.u).toBeCloseTo(1, 3); // the prior's u sum to 1.0003: renormalised
    // Sampled below what the matches alone explain: held at the floor (then renormalised).
    const low = uWithoutMatches({ ...sampled, identifier: { exact: 1e-4, near: 1e-6, other: 1 - 1e-4 - 1e-6 } }, fields, lambda, 1e-7);
    expect(low.identifier.exact / 1e-7).toBeCloseTo(1, 2);
    expect(low.identifier.exact + low.identifier.near + low.identifier.other).toBeCloseTo(1, 12);
  });
  it('estimates u by random sampling near the chance agreement', () => {
    const { patients, records } = sample(3);
    const u = estimateUByRandomSampling(records, patients, 50_000, seededRng(2));
    expect(u.sex.same).toBeGreaterThan(0.45);
    expect(u.sex.same).toBeLessThan(0.55);
    expect(u.familyName.exact).toBeGreaterThan(0.07); // 10 names: ~0.1
    expect(u.familyName.exact).toBeLessThan(0.13);
  });
  it('trains a versioned model that parses and keeps thresholds', () => {
    const { patients, records, pairs } = sample(11);
    const u = estimateUByRandomSampling(records, patients, 20_000, seededRng(5));
    const { model } = trainModel({
      version: 'test-1',
      start: priorModel,
      blocked: countPatterns(pairs),
      blockedPairs: pairs.length,
      allPairs: 400 * 400,
      u,
      termFrequencies: familyNameFrequencies(patients),
    });
    expect(model.version).toBe('test-1');
    expect(model.thresholds).toEqual(priorModel.thresholds);
    expect(model.prior).toBeGreaterThan(0.001);
    expect(model.prior).toBeLessThan(0.005); // truth 1/400
    expect(Object.keys(model.termFrequencies.familyName).length).toBe(10);
  });
});
