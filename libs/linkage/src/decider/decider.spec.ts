import { outcomeEvent, type LinkEvidence, type RegistryRecord } from '@trial/contracts';
import { deciderSpec } from '../../../../test/support/decider-spec';
import { linkageDecider, type DecideRecord, type LinkageEvent, type LinkState, type Target } from './index';

const spec = deciderSpec(linkageDecider);
const at = '2011-10-03T00:00:00.000Z';
const evidence: LinkEvidence = { method: 'deterministic', modelVersion: 'm1', weight: null, fields: {} };
const death: RegistryRecord = {
  v: 1,
  source: 'ONS',
  recordId: 'D1',
  version: 1,
  kind: 'death',
  extractedOn: '2011-10-02',
  nhsNumber: '9434765919',
  chiNumber: null,
  dateOfBirth: '1941-02-03',
  sex: 'M',
  familyName: 'SMITH',
  givenNames: 'JOHN',
  postcode: null,
  dateOfDeath: '2009-06-30',
  dateOfRegistration: null,
  underlyingCause: 'I21.9',
  placeOfDeath: null,
  eventDate: null,
};
const linked = (patientId: string): Target => ({ status: 'linked', patientId, evidence });
const review = (bestPatientId: string): Target => ({
  status: 'review',
  reason: 'between-thresholds',
  bestPatientId,
  modelVersion: 'm1',
  weight: 9.5,
  competing: [],
  candidates: [],
});
const decideRecord = (target: Target, over: Partial<DecideRecord> = {}): DecideRecord => ({
  type: 'DecideRecord',
  trialId: 'T1',
  record: death,
  target,
  reviewId: 'rv-1',
  clerical: null,
  withdrawn: new Set(),
  occurredAt: at,
  ...over,
});
/** The events of a decision, as the given of the next. */
const decided = (state: LinkState, command: DecideRecord): LinkageEvent[] => {
  const r = linkageDecider.decide(command, state);
  if (!r.ok) throw new Error('the linkage decider never rejects');
  return r.value;
};
const after = (...commands: DecideRecord[]): LinkageEvent[] => {
  const events: LinkageEvent[] = [];
  let state = linkageDecider.initialState();
  for (const c of commands) {
    const e = decided(state, c);
    events.push(...e);
    state = e.reduce(linkageDecider.evolve, state);
  }
  return events;
};
const outcome = (type: string, patientId: string, more: object = {}) => ({
  type: 'OutcomeDecided',
  published: true,
  event: { type, patientId, trialId: 'T1', occurredAt: at, recordId: 'D1', ...more },
});
const settled = (link: object) => ({ type: 'LinkSettled', link });

describe('linkageDecider: DecideRecord', () => {
  it('given nothing, when a death links to a patient, then DeathLinked, and the link stands with the death emitted', () => {
    const state = spec
      .given()
      .when(decideRecord(linked('P1')))
      .thenMatches([
        outcome('DeathLinked', 'P1', { dateOfDeath: '2009-06-30', evidence }),
        settled({ status: 'linked', patientId: 'P1', version: 1, reviewId: null, emitted: { patientId: 'P1', kind: 'death', version: 1 } }),
      ]);
    expect(state.seq).toBe(1);
  });

  it('given a linked death, when a higher version links to the same patient, then DeathAmended; the same version, nothing', () => {
    const history = spec.given(...after(decideRecord(linked('P1'))));
    history
      .when(decideRecord(linked('P1'), { record: { ...death, version: 2, dateOfDeath: '2009-07-01' } }))
      .thenMatches([outcome('DeathAmended', 'P1', { version: 2, dateOfDeath: '2009-07-01' }), settled({ version: 2 })]);
    history.when(decideRecord(linked('P1'))).thenMatches([settled({ status: 'linked', patientId: 'P1' })]);
  });

  it('given a death linked to P1, when it now links to P2, then it is withdrawn from P1 (relinked) before it links to P2', () => {
    spec
      .given(...after(decideRecord(linked('P1'))))
      .when(decideRecord(linked('P2')))
      .thenMatches([outcome('DeathWithdrawn', 'P1', { reason: 'relinked' }), outcome('DeathLinked', 'P2'), settled({ patientId: 'P2' })]);
  });

  it('given a linked death, when a reviewer rejects the link, then it is withdrawn as review-rejected', () => {
    spec
      .given(...after(decideRecord(linked('P1'))))
      .when(decideRecord({ status: 'unlinked', rejectedBy: 'rv' }))
      .thenMatches([outcome('DeathWithdrawn', 'P1', { reason: 'review-rejected' }), settled({ status: 'unlinked', patientId: null, emitted: null })]);
  });

  it('given a linked death, when the registry cancels it, then DeathWithdrawn(cancelled); a cancellation never linked, nothing', () => {
    const cancelled = { ...death, kind: 'death-cancelled' as const, version: 2 };
    spec
      .given(...after(decideRecord(linked('P1'))))
      .when(decideRecord(linked('P1'), { record: cancelled }))
      .thenMatches([outcome('DeathWithdrawn', 'P1', { reason: 'cancelled', version: 2 }), settled({ emitted: { kind: 'death-cancelled' } })]);
    spec
      .given()
      .when(decideRecord(linked('P1'), { record: cancelled }))
      .thenMatches([settled({ status: 'linked', emitted: null })]);
  });

  it('given a linked death, when a cancellation with no date of death links, then DeathWithdrawn(cancelled)', () => {
    const cancelled = { ...death, kind: 'death-cancelled' as const, version: 2, dateOfDeath: null, dateOfRegistration: null };
    spec
      .given(...after(decideRecord(linked('P1'))))
      .when(decideRecord(linked('P1'), { record: cancelled }))
      .thenMatches([
        outcome('DeathWithdrawn', 'P1', { reason: 'cancelled', version: 2 }),
        settled({ emitted: { kind: 'death-cancelled', dateOfDeath: null } }),
      ]);
  });

  it('given nothing, when an embarkation, re-entry or no-trace links, then Embarked, ReEntered or NoTraceFlagged', () => {
    const travel = { ...death, dateOfDeath: null, underlyingCause: null, eventDate: '2008-01-01' };
    for (const [kind, type] of [
      ['embarkation', 'Embarked'],
      ['re-entry', 'ReEntered'],
      ['no-trace', 'NoTraceFlagged'],
    ] as const) {
      const record = { ...travel, kind } as RegistryRecord;
      const state = spec
        .given()
        .when(decideRecord(linked('P1'), { record }))
        .thenMatches([outcome(type, 'P1'), settled({ status: 'linked' })]);
      spec
        .givenState(state)
        .when(decideRecord(linked('P1'), { record }))
        .thenMatches([settled({ status: 'linked' })]);
    }
  });

  it('given nothing, when the model asks for review, then LinkageReviewRequested once per version and the item opens', () => {
    const state = spec
      .given()
      .when(decideRecord(review('P1')))
      .thenMatches([
        outcome('LinkageReviewRequested', 'P1', { reviewId: 'rv-1', reason: 'between-thresholds' }),
        { type: 'ReviewOpened', item: { reviewId: 'rv-1', reason: 'between-thresholds' } },
        settled({ status: 'review', patientId: 'P1', reviewId: 'rv-1', emitted: null }),
      ]);
    // Re-decided at the same version: the item is refreshed, no second request.
    spec
      .givenState(state)
      .when(decideRecord(review('P1')))
      .thenMatches([{ type: 'ReviewOpened' }, settled({ reviewId: 'rv-1' })]);
    // Linked after all: the review closes.
    spec
      .givenState(state)
      .when(decideRecord(linked('P1')))
      .thenMatches([outcome('DeathLinked', 'P1'), { type: 'ReviewClosed', reviewId: 'rv-1' }, settled({ reviewId: null })]);
  });

  it('given a withdrawn patient, when their death links, then it is decided but not published', () => {
    spec
      .given()
      .when(decideRecord(linked('P1'), { withdrawn: new Set(['P1']) }))
      .thenMatches([{ type: 'OutcomeDecided', published: false, event: { type: 'DeathLinked' } }, settled({ emitted: { patientId: 'P1' } })]);
  });

  it('given any history, when decided, then every outcome event is valid and each id is new (linked, withdrawn, linked again)', () => {
    const events = after(decideRecord(linked('P1')), decideRecord(linked('P2')), decideRecord(linked('P1')));
    const outcomes = events.flatMap((e) => (e.type === 'OutcomeDecided' ? [e.event] : []));
    expect(outcomes.map((e) => e.type)).toEqual(['DeathLinked', 'DeathWithdrawn', 'DeathLinked', 'DeathWithdrawn', 'DeathLinked']);
    for (const e of outcomes) expect(outcomeEvent.safeParse(e).success).toBe(true);
    expect(new Set(outcomes.map((e) => e.eventId)).size).toBe(outcomes.length);
    expect(events.reduce(linkageDecider.evolve, linkageDecider.initialState()).seq).toBe(5);
  });
});
