import { deriveFollowUp, followupDecider, type FollowupEvent } from '../src';
import { deciderSpec } from '../../../test/support/decider-spec';
import * as facts from './given';

const spec = deciderSpec(followupDecider);
const admit = (event: FollowupEvent) => ({ type: 'AdmitEvent' as const, event });
const withSeq = (e: FollowupEvent, seq: number): FollowupEvent => ({ ...e, seq }) as FollowupEvent;

describe('followupDecider: AdmitEvent', () => {
  it('given nothing, when a patient is randomised, then the randomisation is admitted', () => {
    const e = facts.randomised();
    const after = spec.given().when(admit(e)).then([e]);
    expect(after.state.randomisation).toMatchObject({ eventId: e.eventId });
  });

  it('given nothing, when an outcome overtakes its randomisation, then it is admitted (the topics may interleave)', () => {
    const d = facts.deathLinked('D1', '2009-06-30');
    spec.given().when(admit(d)).then([d]);
    spec
      .given()
      .when(admit(facts.seenAlive('2007-01-01')))
      .thenMatches([{ type: 'PatientSeenAlive' }]);
  });

  it('given a randomised patient, when the same content arrives under another id, then it is a duplicate that changes nothing', () => {
    const first = facts.randomised({ eventId: 'r1' });
    const again = { ...first, eventId: 'r2' };
    const after = spec.given(first).when(admit(again)).then([again]);
    expect(after.state.randomisation).toMatchObject({ eventId: 'r1' });
  });

  it('given a randomised patient, when a randomisation with other content arrives, then it is refused without identifiers', () => {
    const w = spec.given(facts.randomised({ eventId: 'r1' })).when(admit(facts.randomised({ eventId: 'r2', on: '2006-04-01' })));
    w.thenRejects({ code: 'conflicting-randomisation' });
    expect(JSON.stringify(w.result)).not.toMatch(/9434765919|Smith|1941/);
  });

  it('given a randomised patient, when outcomes and visits arrive, then they are admitted', () => {
    for (const e of [
      facts.seenAlive('2007-01-01'),
      facts.deathLinked('D1', '2009-06-30'),
      facts.embarked('E1', '2008-01-01'),
      facts.reEntered('R1', '2008-06-01'),
      facts.noTrace(),
      facts.corrected({ nhsNumber: null }),
    ]) {
      spec.given(facts.randomised()).when(admit(e)).then([e]);
    }
  });

  it('given a record at version 2, when version 1 arrives late, then it is refused as regressed', () => {
    spec
      .given(facts.randomised(), facts.deathAmended('D1', '2009-07-01', 2))
      .when(admit(facts.deathLinked('D1', '2009-06-30', 1)))
      .thenRejects({ code: 'version-regressed' });
  });

  it('given a record at version 1, when the same version re-decides the link, then it is admitted', () => {
    const e = facts.deathWithdrawn('D1', 1, 'relinked');
    spec
      .given(facts.randomised(), facts.deathLinked('D1', '2009-06-30', 1))
      .when(admit(e))
      .then([e]);
  });

  it('given outcomes up to seq 2, when seq 2 or 1 comes again under a new id, then it is refused as out of order', () => {
    const history = spec.given(
      facts.randomised(),
      withSeq(facts.deathLinked('D1', '2009-06-30'), 1),
      withSeq(facts.deathWithdrawn('D1', 1, 'relinked'), 2),
    );
    expect(history.state.guard.seq).toBe(2);
    history.when(admit(withSeq(facts.deathLinked('D1', '2009-06-30'), 2))).thenRejects({ code: 'out-of-order' });
    history.when(admit(withSeq(facts.noTrace(), 1))).thenRejects({ code: 'out-of-order' });
    const next = withSeq(facts.noTrace(), 3);
    expect(history.when(admit(next)).then([next]).guard.seq).toBe(3);
  });
});

describe('followupDecider: nothing new counts after withdrawal', () => {
  const base = [facts.randomised(), facts.withdrew('2008-01-01')];
  const followUp = (events: FollowupEvent[]) => {
    const r = deriveFollowUp(facts.admitAll(events).state, { ONS: '2011-09-30' });
    if (!r.ok) throw new Error(r.error.reason);
    return r.value;
  };

  it('given a withdrawal, when facts dated after it arrive, then they are kept and the follow-up ignores them', () => {
    for (const e of [
      facts.seenAlive('2008-02-01'),
      facts.deathLinked('D1', '2009-06-30'),
      facts.embarked('E1', '2008-03-01'),
      facts.withdrew('2009-01-01'),
    ]) {
      spec
        .given(...base)
        .when(admit(e))
        .then([e]);
      expect(followUp([...base, e])).toMatchObject({ reason: 'withdrew', endDate: '2008-01-01' });
    }
  });

  it('given a withdrawal, when a death dated on or before it arrives, then the death counts', () => {
    expect(followUp([...base, facts.deathLinked('D1', '2007-06-30')])).toMatchObject({ reason: 'death', endDate: '2007-06-30' });
  });

  it('given a late death, when it is amended to before the withdrawal, then the death counts; cancelled, it does not', () => {
    const late = [...base, facts.deathLinked('D1', '2009-06-30', 1)];
    expect(followUp([...late, facts.deathAmended('D1', '2007-06-30', 2)])).toMatchObject({ reason: 'death', endDate: '2007-06-30' });
    expect(followUp([...late, facts.deathAmended('D1', '2007-06-30', 2), facts.deathWithdrawn('D1', 3)])).toMatchObject({ reason: 'withdrew' });
  });

  it('given the initial state, when decided, then it is not mutated', () => {
    const initial = followupDecider.initialState();
    const before = JSON.stringify(initial);
    followupDecider.decide(admit(facts.randomised()), initial);
    expect(JSON.stringify(initial)).toBe(before);
  });
});
