import { outcomeEvent, RegistryRecord } from '@trial/contracts';
import { PatientIdentity, PreparedPatient, preparePatient, prepareRecord, priorModel } from '@trial/linkage';
import { LinkState, plan } from './plan';
import { ownersElsewhere, targetFor } from './target';
import { ENROLLED_AS, ONS_DEATH } from '../../../test/support/feeds';

/**
 * Cross-trial look-alikes: the service decides each trial on its own candidates, so a death
 * owned by its NHS number in one trial must be kept from linking by name to a patient with
 * another number in the next (ownersElsewhere → decide), and a link already made there must
 * be taken back when the owner turns up later (plan: linked → review).
 */
const record: RegistryRecord = ONS_DEATH;
const owner: PatientIdentity = { patientId: 'A-1', randomisedOn: '2006-03-14', ...ENROLLED_AS };
const lookAlike: PatientIdentity = { ...owner, patientId: 'B-1', nhsNumber: '4010232137' };
const coEnrolled: PatientIdentity = { ...owner, patientId: 'B-2', nhsNumber: null, chiNumber: '0302411230' };
const r = prepareRecord(record);
const byTrial = (m: Record<string, PatientIdentity[]>): Map<string, PreparedPatient[]> =>
  new Map(Object.entries(m).map(([t, ps]) => [t, ps.map(preparePatient)]));

describe('ownersElsewhere', () => {
  it("gives each trial the other trials' deterministic matches, never its own", () => {
    const m = byTrial({ T1: [owner], T2: [lookAlike], T3: [{ ...owner, patientId: 'C-1' }, coEnrolled] });
    const o = ownersElsewhere(r, m, ['T1', 'T2', 'T3', 'T4']);
    expect(o.get('T1')).toEqual([{ trialId: 'T3', patientId: 'C-1' }]);
    expect(o.get('T2')).toEqual([
      { trialId: 'T1', patientId: 'A-1' },
      { trialId: 'T3', patientId: 'C-1' },
    ]);
    expect(o.get('T3')).toEqual([{ trialId: 'T1', patientId: 'A-1' }]);
    // A trial with a link state but no candidate left still hears of the owners.
    expect(o.get('T4')).toHaveLength(2);
  });
});

describe('targetFor across trials', () => {
  const elsewhere = [{ trialId: 'T1', patientId: 'A-1' }];
  it('reviews a look-alike with another valid number, naming the owner elsewhere', () => {
    const { target, audit } = targetFor(r, [preparePatient(lookAlike)], priorModel, null, elsewhere);
    expect(target).toMatchObject({ status: 'review', reason: 'identifier-conflict', bestPatientId: 'B-1', competing: elsewhere });
    expect(audit).toMatchObject({ decision: 'review', reason: 'identifier-conflict', competing: elsewhere });
  });
  it('links the same person co-enrolled without that number', () => {
    const { target } = targetFor(r, [preparePatient(coEnrolled)], priorModel, null, elsewhere);
    expect(target).toMatchObject({ status: 'linked', patientId: 'B-2', evidence: { method: 'probabilistic' } });
  });
  it('lets a reviewer’s accept stand over the conflict', () => {
    const { target } = targetFor(
      r,
      [preparePatient(lookAlike)],
      priorModel,
      { decision: 'accept', patientId: 'B-1', reviewer: 'rv', reviewId: 'rv-1' },
      elsewhere,
    );
    expect(target).toMatchObject({ status: 'linked', patientId: 'B-1', evidence: { method: 'clerical', reviewer: 'rv' } });
  });
});

describe('plan when the owner elsewhere arrives after the look-alike was linked', () => {
  const input = { trialId: 'T2', record, reviewId: 'rv-x', clerical: null, withdrawn: new Set<string>(), occurredAt: '2011-10-03T00:00:00.000Z' };
  const linked = plan({ ...input, prev: null, target: targetFor(r, [preparePatient(lookAlike)], priorModel, null).target });
  const later = plan({
    ...input,
    prev: linked.next,
    target: targetFor(r, [preparePatient(lookAlike)], priorModel, null, [{ trialId: 'T1', patientId: 'A-1' }]).target,
  });

  it('first links the look-alike (nothing yet says the record is someone else’s)', () => {
    expect(linked.events.map((e) => e.type)).toEqual(['DeathLinked']);
  });
  it('then withdraws that death and requests a review, with valid outcome events', () => {
    expect(later.events.map((e) => [e.type, 'patientId' in e ? e.patientId : null])).toEqual([
      ['DeathWithdrawn', 'B-1'],
      ['LinkageReviewRequested', 'B-1'],
    ]);
    expect(later.events[0]).toMatchObject({ reason: 'relinked' });
    expect(later.events[1]).toMatchObject({ reason: 'identifier-conflict', reviewId: 'rv-x' });
    for (const e of later.events) expect(outcomeEvent.safeParse(e).success).toBe(true);
    expect(new Set([...linked.events, ...later.events].map((e) => e.eventId)).size).toBe(3);
    expect(later.next).toMatchObject<Partial<LinkState>>({ status: 'review', patientId: 'B-1', emitted: null, reviewId: 'rv-x' });
    expect(later.openReview).toMatchObject({ reviewId: 'rv-x', reason: 'identifier-conflict', competing: [{ trialId: 'T1', patientId: 'A-1' }] });
  });
  it('and re-links it, closing the review, if the owner is corrected away', () => {
    const again = plan({ ...input, prev: later.next, target: targetFor(r, [preparePatient(lookAlike)], priorModel, null, []).target });
    expect(again.events.map((e) => e.type)).toEqual(['DeathLinked']);
    expect(again.closeReview).toBe('rv-x');
  });
});
