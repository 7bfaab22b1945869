import { decide, deterministicMatches } from './decide';
import { defaultModel } from './default-model';
import { LinkageEngine } from './engine';
import { PatientIdentity, RecordFacts, preparePatient, prepareRecord } from './person';
import { blockingKeys } from './blocking';
import { DEATH_FACTS, ENROLLED_AS } from '../../../test/support/feeds';

/**
 * The multi-trial engine is `decide` per trial on the candidates blocking finds there, told the
 * record's deterministic owners in the other trials: checked against `decide` called by hand.
 */
const base: Omit<PatientIdentity, 'patientId'> = { randomisedOn: '2006-03-14', ...ENROLLED_AS };
const owner: PatientIdentity = { ...base, patientId: 'A-1' };
const lookAlike: PatientIdentity = { ...base, patientId: 'B-1', nhsNumber: '4010232137' };
const namesake: PatientIdentity = { ...base, patientId: 'B-2', nhsNumber: null, chiNumber: null, givenNames: 'John', postcode: 'SE1 9ZZ' };
const stranger: PatientIdentity = {
  ...base,
  patientId: 'C-1',
  nhsNumber: null,
  familyName: 'Okonkwo',
  givenNames: 'Chidi',
  dateOfBirth: '1950-05-06',
};
const death: RecordFacts = DEATH_FACTS;

function engineOf(trials: Record<string, PatientIdentity[]>): LinkageEngine {
  const e = new LinkageEngine();
  for (const [t, ps] of Object.entries(trials)) for (const p of ps) e.upsertPatient(t, p, null);
  return e;
}

describe('LinkageEngine', () => {
  it("decides each trial as decide() does on its candidates, with the owners elsewhere, under each trial's λ", () => {
    const trials = { T1: [owner], T2: [lookAlike, namesake], T3: [stranger] };
    const e = engineOf(trials);
    const r = prepareRecord(death);
    const priors: Record<string, number> = { T1: 1e-4, T2: 3e-5, T3: 1e-6 };
    const got = e.decide(r, defaultModel, (t) => priors[t]);
    const keys = new Set(blockingKeys(r));
    const shares = (p: PatientIdentity) => blockingKeys(preparePatient(p)).some((k) => keys.has(k));
    const owners = Object.entries(trials).flatMap(([t, ps]) =>
      deterministicMatches(r, ps.map(preparePatient)).map((p) => ({ trialId: t, patientId: p.patientId })),
    );
    expect(owners).toEqual([{ trialId: 'T1', patientId: 'A-1' }]);
    const want = Object.entries(trials)
      .map(([t, ps]) => ({ t, candidates: ps.filter(shares).map(preparePatient) }))
      .filter((x) => x.candidates.length > 0)
      .map(({ t, candidates }) => ({
        trialId: t,
        decision: decide(r, candidates, defaultModel, { maxCandidates: 5, ownersElsewhere: owners.filter((o) => o.trialId !== t), prior: priors[t] }),
        deterministic: owners.some((o) => o.trialId === t),
      }));
    expect(got).toEqual(want);
    expect(got.map((d) => [d.trialId, d.decision.decision, d.decision.reason])).toEqual([
      ['T1', 'linked', null],
      ['T2', 'review', 'identifier-conflict'],
      ['T3', 'unlinked', null],
    ]);
    expect(got.every((d) => d.decision.prior === priors[d.trialId])).toBe(true);
  });

  it('gives the same decisions with evidence only for links and reviews, and decides a trial with a link state but no candidate', () => {
    const e = engineOf({ T1: [owner], T2: [lookAlike, namesake], T3: [stranger] });
    const r = prepareRecord({ ...death, nhsNumber: null });
    const all = e.decide(r, defaultModel, () => 2.5e-5, { alsoIn: ['T9'] });
    const lean = e.decide(r, defaultModel, () => 2.5e-5, { alsoIn: ['T9'], evidence: 'links-and-reviews' });
    expect(lean.map((d) => [d.trialId, d.decision.decision, d.decision.patientId, d.decision.weight])).toEqual(
      all.map((d) => [d.trialId, d.decision.decision, d.decision.patientId, d.decision.weight]),
    );
    for (const d of lean)
      if (d.decision.decision !== 'unlinked') expect(d.decision.candidates).toEqual(all.find((a) => a.trialId === d.trialId)?.decision.candidates);
    expect(all.find((d) => d.trialId === 'T9')?.decision).toMatchObject({ decision: 'unlinked', patientId: null, weight: null });
  });

  it("counts patients and those holding each registry's number, through updates and removals", () => {
    const e = engineOf({ T1: [owner, stranger] });
    expect(e.patientCounts('T1', 'ONS')).toEqual({ patients: 2, patientsWithNumber: 1 });
    e.upsertPatient('T1', { ...owner, nhsNumber: null }, '2010-01-01');
    expect(e.patientCounts('T1', 'ONS')).toEqual({ patients: 2, patientsWithNumber: 0 });
    expect(e.patient('T1', 'A-1')?.withdrawnOn).toBe('2010-01-01');
    e.removePatient('T1', 'A-1');
    e.removePatient('T1', 'C-1');
    expect(e.patientCounts('T1', 'ONS')).toEqual({ patients: 0, patientsWithNumber: 0 });
    expect(e.trialIds()).toEqual([]);
  });
});
