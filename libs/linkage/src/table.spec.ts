import fc from 'fast-check';
import { LinkageIndex } from './blocking';
import { CandidateScore, LinkDecision, decide, matchWeight } from './decide';
import { defaultModel, priorModel } from './default-model';
import { compare } from './levels';
import { LinkageModel, compileModel } from './model';
import { PatientIdentity, PreparedPatient, PreparedRecord, RecordFacts, preparePatient, prepareRecord } from './person';

/**
 * The index's fast path (column-wise patients, cheap levels first, name comparisons only for
 * candidates whose bound can still matter) must decide exactly as full scoring does.
 *
 * Oracle: every blocked candidate scored in full (`compare` + `matchWeight`, no pruning),
 * sorted best first (ties on patientId), then the rules of `decide` written out again.
 */
function fullScoring(record: PreparedRecord, candidates: PreparedPatient[], model: LinkageModel) {
  const cm = compileModel(model);
  const all = candidates.map((p) => {
    const c = compare(record, p);
    const sameNumber = (record.nhsValid && p.nhsValid && record.nhs === p.nhs) || (record.chiValid && p.chiValid && record.chi === p.chi);
    const det = sameNumber && (c.dateOfBirth === 'exact' || (c.sex === 'same' && c.familyName === 'exact'));
    const otherNumber = (record.nhsValid && p.nhsValid && record.nhs !== p.nhs) || (record.chiValid && p.chiValid && record.chi !== p.chi);
    const personal = ['exact', 'jw92', 'jw88', 'partial'].includes(c.givenNames) && ['exact', 'swap', 'one-day'].includes(c.dateOfBirth);
    const household =
      c.identifier !== 'exact' &&
      c.identifier !== 'near' &&
      ['exact', 'jw92', 'jw88', 'partial'].includes(c.familyName) &&
      c.postcode === 'full' &&
      c.givenNames === 'other';
    return { p, weight: matchWeight(c, cm, record.familyKey), det, conflict: otherNumber && !personal, household };
  });
  const order = (a: (typeof all)[number], b: (typeof all)[number]) =>
    b.weight - a.weight || (a.p.patientId < b.p.patientId ? -1 : a.p.patientId > b.p.patientId ? 1 : 0);
  all.sort(order);
  const dets = all.filter((s) => s.det);
  if (all.length === 0) return { decision: 'unlinked', patientId: null, weight: null, method: 'probabilistic', reason: null, top: [] };
  const t = model.thresholds;
  const round2 = (x: number) => Math.round(x * 100) / 100;
  let chosen = all[0];
  let decision: LinkDecision['decision'];
  let reason: string | null = null;
  let method = 'probabilistic';
  if (dets.length > 0) {
    chosen = dets[0];
    method = 'deterministic';
    decision = dets.length === 1 ? 'linked' : 'review';
    if (dets.length > 1) reason = 'identifier-conflict';
  } else if (chosen.weight >= t.link) {
    if (all.length > 1 && all[1].weight >= chosen.weight - t.closeMargin) [decision, reason] = ['review', 'close-candidates'];
    else if (chosen.conflict) [decision, reason] = ['review', 'identifier-conflict'];
    else if (chosen.household) [decision, reason] = ['review', 'household-member'];
    else decision = 'linked';
  } else if (chosen.weight >= t.review) [decision, reason] = ['review', 'between-thresholds'];
  else decision = 'unlinked';
  if (
    decision === 'linked' &&
    (record.kind === 'death' || record.kind === 'death-cancelled') &&
    record.dateOfDeath !== null &&
    chosen.p.randomisedOn !== null &&
    record.dateOfDeath < chosen.p.randomisedOn
  ) {
    [decision, reason] = ['review', 'death-before-randomisation'];
  }
  return { decision, patientId: chosen.p.patientId, weight: round2(chosen.weight), method, reason, top: all.slice(0, 3).map((s) => s.p.patientId) };
}

// Small alphabets so that candidates collide in every blocking key and every comparison level
// (exact, swaps, one day out, typos, shared tokens, initials, near numbers, twins) turns up.
const families = [
  'SMITH',
  'SMYTH',
  'SMITHE',
  'JONES',
  'JONAS',
  'SMITH-JONES',
  'JONES SMITH',
  "O'BRIEN",
  'OBRIEN',
  'BRIEN',
  'MACDONALD',
  'MCDONALD',
  'A',
  'PATEL',
];
const givens = ['JOHN', 'JON', 'JOHN PAUL', 'PAUL JOHN', 'J', 'J P', 'JANE', 'JOAN', 'MARY ANN', 'MARY', 'ANN', 'PETER', 'P'];
// Valid NHS numbers one digit or one transposition apart, one invalid, one malformed.
const nhs = ['9434765919', '9434765870', '9434765862', '4010232137', '4010232145', '9434765918', '943476591', '94347659X9'];
const chis = ['0101011234', '0101011242', '3112991239', '0101011235'];
const dobs = ['1941-02-03', '1941-03-02', '1941-02-04', '1941-02-02', '1941-12-31', '1942-01-01', '1941-07-07', '1950-05-05', '1941-02-30'];
const postcodes = ['SE1 7EH', 'SE1 7PB', 'SE1 9AA', 'SE17 1AA', 'M1 1AA', 'M1 1AB', 'EH1 1YZ', 'not a postcode'];

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 6 });
const identity = {
  nhsNumber: opt(fc.constantFrom(...nhs)),
  chiNumber: fc.option(fc.constantFrom(...chis), { nil: null, freq: 2 }),
  dateOfBirth: opt(fc.constantFrom(...dobs)),
  sex: fc.constantFrom<'M' | 'F' | 'U' | null>('M', 'F', 'U', null),
  familyName: opt(fc.constantFrom(...families)),
  givenNames: opt(fc.constantFrom(...givens)),
  postcode: opt(fc.constantFrom(...postcodes)),
};
const patientArb = fc.record({ ...identity, randomisedOn: opt(fc.constantFrom('2006-01-01', '2009-06-01')) });
const recordArb = fc.record({
  ...identity,
  kind: fc.constantFrom<RecordFacts['kind']>('death', 'death', 'embarkation', 'death-cancelled'),
  dateOfDeath: opt(fc.constantFrom('2005-01-01', '2008-01-01', '2010-01-01')),
  eventDate: fc.constant(null),
});

// Link threshold low enough that links, close candidates and reviews all occur.
const lowThresholds: LinkageModel = { ...priorModel, version: 'low', thresholds: { link: 4, review: -8, closeMargin: 3 } };
const withTf: LinkageModel = { ...priorModel, version: 'tf', termFrequencies: { familyName: { SMITH: 0.02, JONES: 0.01 } } };

describe('LinkageIndex fast path', () => {
  it.each([
    ['prior', priorModel],
    ['default', defaultModel],
    ['low thresholds', lowThresholds],
    ['term frequencies', withTf],
  ])('decides like full scoring of every blocked candidate (%s model, property)', (_name, model) => {
    fc.assert(
      fc.property(fc.array(patientArb, { minLength: 0, maxLength: 30 }), fc.array(recordArb, { minLength: 1, maxLength: 8 }), (patients, records) => {
        const idx = new LinkageIndex();
        patients.forEach((p, i) => idx.upsertPatient({ ...p, patientId: `P${String(i).padStart(3, '0')}` } as PatientIdentity));
        for (const r of records) {
          const rec = prepareRecord(r as RecordFacts);
          const candidates = idx.candidatesFor(rec);
          const oracle = fullScoring(rec, candidates, model);
          for (const maxCandidates of [0, 1, 3]) {
            const fast = idx.decideFor(rec, model, { maxCandidates });
            expect({ decision: fast.decision, patientId: fast.patientId, weight: fast.weight, method: fast.method, reason: fast.reason }).toEqual({
              decision: oracle.decision,
              patientId: oracle.patientId,
              weight: oracle.weight,
              method: oracle.method,
              reason: oracle.reason,
            });
            // And exactly what `decide` returns, evidence included.
            expect(fast).toEqual(decide(rec, candidates, model, { maxCandidates }));
            if (maxCandidates === 3) expect(fast.candidates.map((c: CandidateScore) => c.patientId)).toEqual(oracle.top);
          }
        }
      }),
      { numRuns: 400, seed: 11 },
    );
  });

  it('keeps deciding like full scoring after patients are corrected and removed (slots reused)', () => {
    fc.assert(
      fc.property(
        fc.array(patientArb, { minLength: 1, maxLength: 20 }),
        fc.array(patientArb, { maxLength: 10 }),
        fc.array(recordArb, { minLength: 1, maxLength: 5 }),
        (patients, corrections, records) => {
          const idx = new LinkageIndex();
          const id = (i: number) => `P${String(i).padStart(3, '0')}`;
          patients.forEach((p, i) => idx.upsertPatient({ ...p, patientId: id(i) } as PatientIdentity));
          corrections.forEach((p, i) => idx.upsertPatient({ ...p, patientId: id(i % patients.length) } as PatientIdentity));
          for (let i = 0; i < patients.length; i += 3) idx.removePatient(id(i));
          patients.forEach((p, i) => {
            if (i % 6 === 0) idx.upsertPatient({ ...p, patientId: id(i) } as PatientIdentity);
          });
          for (const r of records) {
            const rec = prepareRecord(r as RecordFacts);
            const candidates = idx.candidatesFor(rec);
            expect(new Set(candidates.map((c) => c.patientId)).size).toBe(candidates.length);
            const oracle = fullScoring(rec, candidates, lowThresholds);
            const fast = idx.decideFor(rec, lowThresholds, { maxCandidates: 0 });
            expect([fast.decision, fast.patientId, fast.weight, fast.reason]).toEqual([
              oracle.decision,
              oracle.patientId,
              oracle.weight,
              oracle.reason,
            ]);
          }
        },
      ),
      { numRuns: 300, seed: 12 },
    );
  });

  it('decides the same after relayout (slots renumbered by sector), and after changes made since', () => {
    fc.assert(
      fc.property(
        fc.array(patientArb, { minLength: 1, maxLength: 25 }),
        fc.array(patientArb, { maxLength: 8 }),
        fc.array(recordArb, { minLength: 1, maxLength: 5 }),
        (patients, later, records) => {
          const id = (i: number) => `P${String(i).padStart(3, '0')}`;
          const plain = new LinkageIndex();
          const laid = new LinkageIndex();
          for (const idx of [plain, laid]) {
            patients.forEach((p, i) => idx.upsertPatient({ ...p, patientId: id(i) } as PatientIdentity));
            for (let i = 0; i < patients.length; i += 4) idx.removePatient(id(i)); // free slots before the relayout
          }
          laid.relayout();
          const check = () => {
            for (const r of records) {
              const rec = prepareRecord(r as RecordFacts);
              expect(
                laid
                  .candidatesFor(rec)
                  .map((c) => c.patientId)
                  .sort(),
              ).toEqual(
                plain
                  .candidatesFor(rec)
                  .map((c) => c.patientId)
                  .sort(),
              );
              for (const maxCandidates of [0, 3])
                expect(laid.decideFor(rec, lowThresholds, { maxCandidates })).toEqual(plain.decideFor(rec, lowThresholds, { maxCandidates }));
            }
          };
          check();
          for (const idx of [plain, laid]) {
            later.forEach((p, i) => idx.upsertPatient({ ...p, patientId: id((3 * i) % (patients.length + 2)) } as PatientIdentity));
            idx.removePatient(id(1));
          }
          check();
        },
      ),
      { numRuns: 300, seed: 13 },
    );
  });

  it('stores what preparePatient computes (candidatesFor returns the prepared patients)', () => {
    const idx = new LinkageIndex();
    const p: PatientIdentity = {
      patientId: 'A',
      randomisedOn: null,
      nhsNumber: '943 476 5919',
      chiNumber: null,
      dateOfBirth: '1941-02-03',
      sex: 'M',
      familyName: 'Smith',
      givenNames: 'John',
      postcode: 'se1 7eh',
    };
    idx.upsertPatient(p);
    expect(idx.candidatesFor(prepareRecord({ ...p, kind: 'death', dateOfDeath: null, eventDate: null }))).toEqual([preparePatient(p)]);
  });
});
