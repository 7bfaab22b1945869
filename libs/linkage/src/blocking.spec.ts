import fc from 'fast-check';
import { LinkageIndex, blockingKeys } from './blocking';
import { priorModel } from './default-model';
import { PatientIdentity, RecordFacts, prepareIdentity } from './person';
import { ENROLLED_AS } from '../../../test/support/feeds';

const P = (id: string, over: Partial<PatientIdentity> = {}): PatientIdentity => ({
  patientId: id,
  randomisedOn: '2006-01-01',
  ...ENROLLED_AS,
  nhsNumber: null,
  givenNames: 'John',
  ...over,
});
const R = (over: Partial<RecordFacts> = {}): RecordFacts => ({
  kind: 'death',
  dateOfDeath: '2009-01-01',
  eventDate: null,
  ...ENROLLED_AS,
  nhsNumber: null,
  familyName: 'SMITH',
  givenNames: 'JOHN',
  ...over,
});

describe('blocking keys', () => {
  it('has identifier, date of birth (swap-proof), phonetic surname + year, and postcode sector keys', () => {
    const keys = blockingKeys(prepareIdentity({ ...R(), nhsNumber: '9434765919' }));
    expect(keys).toEqual(['n:9434765919', 'd:1941-2-3', 'p:SNAT:1941', 's:SE1 7']);
    expect(blockingKeys(prepareIdentity(R({ dateOfBirth: '1941-03-02' })))).toContain('d:1941-2-3');
  });
  it('keys a number that fails its check too: a damaged number is still evidence when equal (issue 11)', () => {
    expect(blockingKeys(prepareIdentity(R({ nhsNumber: '9434765918' })))).toContain('n:9434765918');
  });
  it('finds the patient holding a damaged number when nothing else of the registration is blocked, never deterministically', () => {
    const index = new LinkageIndex();
    index.upsertPatient(P('P1', { nhsNumber: '9434765918', familyName: 'Jones', dateOfBirth: '1950-06-15', postcode: 'M1 1AA' }));
    // Only the number is in common (its Modulus 11 check fails on both sides).
    index.upsertRecord('ONS:1', R({ nhsNumber: '9434765918', familyName: 'PATEL', givenNames: 'RAJ', dateOfBirth: null, postcode: null }));
    expect(index.candidatesOf('ONS:1').map((p) => p.patientId)).toEqual(['P1']);
    expect(index.decideRecord('ONS:1', priorModel)).toMatchObject({ patientId: 'P1', method: 'probabilistic' });
  });
});

describe('incremental index', () => {
  it('returns the records to re-decide when a patient arrives or changes keys', () => {
    const idx = new LinkageIndex();
    idx.upsertRecord('ONS:1', R());
    idx.upsertRecord('ONS:2', R({ familyName: 'JONES', dateOfBirth: '1950-05-05', postcode: 'M1 1AA' }));
    expect(idx.upsertPatient(P('A'))).toEqual(['ONS:1']);
    expect(idx.decideRecord('ONS:1', priorModel)?.patientId).toBe('A');
    // A correction moves A into ONS:2's blocks and out of none of ONS:1's (postcode stays).
    expect(idx.upsertPatient(P('A', { familyName: 'Jones', dateOfBirth: '1950-05-05' }))).toEqual(['ONS:1', 'ONS:2']);
    expect(idx.removePatient('A')).toEqual(['ONS:1', 'ONS:2']);
    expect(idx.candidatesOf('ONS:1')).toEqual([]);
  });

  // Patients, corrections and records in any interleaving: the final decisions must equal the
  // batch decisions, and replaying "re-decide what upsert returned" must reach the same state.
  const patients = [
    P('A', { nhsNumber: '9434765919' }),
    P('B', { givenNames: 'John Peter' }), // twin-like
    P('C', { familyName: 'Jones', dateOfBirth: '1950-05-05', postcode: 'M1 1AA' }),
    P('D', { familyName: 'Smyth', givenNames: 'Jon', postcode: 'SE1 7PB' }),
  ];
  const corrections = [P('C', { familyName: 'Smith', dateOfBirth: '1941-02-03', givenNames: 'Jane', sex: 'F' })];
  const records: [string, RecordFacts][] = [
    ['ONS:1', R({ nhsNumber: '9434765919' })],
    ['ONS:2', R({ givenNames: 'JOHN PETER' })],
    ['ONS:3', R({ familyName: 'JONES', dateOfBirth: '1950-05-05', postcode: 'M1 1AA' })],
    ['ONS:4', R({ familyName: 'SMITH', givenNames: 'JANE', sex: 'F' })],
    ['ONS:5', R({ familyName: 'SMYTH', givenNames: 'JON', dateOfBirth: '1941-03-02', postcode: 'SE1 7PB' })],
  ];
  type Ev = { t: 'p'; i: number } | { t: 'c'; i: number } | { t: 'r'; i: number };
  const events: Ev[] = [
    ...patients.map((_, i) => ({ t: 'p' as const, i })),
    ...corrections.map((_, i) => ({ t: 'c' as const, i })),
    ...records.map((_, i) => ({ t: 'r' as const, i })),
  ];

  it('gives the same links in any interleaving (property)', () => {
    // Batch: everything first, then decide.
    const batch = new LinkageIndex();
    for (const p of patients) batch.upsertPatient(p);
    for (const c of corrections) batch.upsertPatient(c);
    for (const [k, r] of records) batch.upsertRecord(k, r);
    const expected = Object.fromEntries(records.map(([k]) => [k, batch.decideRecord(k, priorModel)]));

    fc.assert(
      fc.property(fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }), (order) => {
        // A correction only applies after its patient's randomisation (topic order per key).
        const seq = [...order];
        const ci = seq.findIndex((e) => e.t === 'c');
        const pi = seq.findIndex((e) => e.t === 'p' && e.i === 2);
        if (ci < pi) [seq[ci], seq[pi]] = [seq[pi], seq[ci]];
        const idx = new LinkageIndex();
        const state: Record<string, unknown> = {};
        const redecide = (keys: string[]) => {
          for (const k of keys) state[k] = idx.decideRecord(k, priorModel);
        };
        for (const e of seq) {
          if (e.t === 'p') redecide(idx.upsertPatient(patients[e.i]));
          else if (e.t === 'c') redecide(idx.upsertPatient(corrections[e.i]));
          else {
            const [k, r] = records[e.i];
            idx.upsertRecord(k, r);
            redecide([k]);
          }
        }
        expect(state).toEqual(expected);
      }),
      { numRuns: 300, seed: 4 },
    );
  });
});
