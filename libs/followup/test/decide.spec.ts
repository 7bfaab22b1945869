import { decide, initialState, replay, type FollowupEvent, type PatientState, type RejectionCode } from '../src';
import {
  admitAll, corrected, deathAmended, deathLinked, deathWithdrawn, embarked, noTrace, randomised, reEntered, seenAlive, withdrew,
} from './given';

/** Emmett-style decider specification: given(events).when(event).then(events | rejection). */
function given(...events: FollowupEvent[]) {
  const state: PatientState = replay(events);
  return {
    when(event: FollowupEvent) {
      const result = decide({ type: 'AdmitEvent', event }, state);
      return {
        then(expected: FollowupEvent[]) {
          expect(result).toEqual({ ok: true, value: expected });
        },
        thenRejects(code: RejectionCode) {
          expect(result).toMatchObject({ ok: false, error: { code, eventId: event.eventId } });
        },
      };
    },
  };
}

describe('decide: AdmitEvent', () => {
  it('given nothing, when a patient is randomised, then the randomisation is admitted', () => {
    const e = randomised();
    given().when(e).then([e]);
  });

  it('given nothing, when an outcome arrives, then it is refused as not randomised (park and retry)', () => {
    given().when(deathLinked('D1', '2009-06-30')).thenRejects('not-randomised');
    given().when(seenAlive('2007-01-01')).thenRejects('not-randomised');
  });

  it('given a randomised patient, when the same randomisation is redelivered, then nothing is appended', () => {
    const e = randomised({ eventId: 'r1' });
    given(e).when(e).then([]);
  });

  it('given a randomised patient, when a different randomisation arrives, then it is refused', () => {
    given(randomised({ eventId: 'r1' })).when(randomised({ eventId: 'r2' })).thenRejects('already-randomised');
  });

  it('given a patient stream, when an event names another patient, then it is refused', () => {
    const other: FollowupEvent = { ...seenAlive('2007-01-01'), patientId: 'P2' };
    given(randomised()).when(other).thenRejects('wrong-patient');
  });

  it('given a randomised patient, when outcomes and visits arrive, then they are admitted', () => {
    for (const e of [seenAlive('2007-01-01'), deathLinked('D1', '2009-06-30'), embarked('E1', '2008-01-01'), reEntered('R1', '2008-06-01'), noTrace(), corrected({ nhsNumber: null })]) {
      given(randomised()).when(e).then([e]);
    }
  });

  it('given a record at version 2, when version 1 arrives late, then it is refused as superseded', () => {
    given(randomised(), deathAmended('D1', '2009-07-01', 2)).when(deathLinked('D1', '2009-06-30', 1)).thenRejects('superseded');
  });

  it('given a record at version 1, when the same version re-decides the link, then it is admitted', () => {
    const e = deathWithdrawn('D1', 1, 'relinked');
    given(randomised(), deathLinked('D1', '2009-06-30', 1)).when(e).then([e]);
  });
});

describe('decide: nothing new is applied after withdrawal', () => {
  const base = [randomised(), withdrew('2008-01-01')];

  it('given a withdrawal, when a visit, death, embarkation or re-entry dated after it arrives, then it is refused', () => {
    for (const e of [seenAlive('2008-02-01'), deathLinked('D1', '2009-06-30'), embarked('E1', '2008-03-01'), reEntered('R1', '2008-03-01'), withdrew('2009-01-01')]) {
      given(...base).when(e).thenRejects('after-withdrawal');
    }
  });

  it('given a withdrawal, when facts dated on or before it arrive, then they are admitted', () => {
    for (const e of [seenAlive('2008-01-01'), deathLinked('D1', '2007-06-30'), withdrew('2007-12-01')]) {
      given(...base).when(e).then([e]);
    }
  });

  it('given a withdrawal, when a held death is amended to after it or cancelled, then the correction is admitted', () => {
    const withDeath = [...base, deathLinked('D1', '2007-06-30')];
    const amend = deathAmended('D1', '2008-06-30', 2);
    const cancel = deathWithdrawn('D1', 2);
    given(...withDeath).when(amend).then([amend]);
    given(...withDeath).when(cancel).then([cancel]);
  });

  it('given a refused late death, when it is amended to before the withdrawal, then the death counts', () => {
    const { state, refused } = admitAll([...base, deathLinked('D1', '2009-06-30', 1), deathAmended('D1', '2007-06-30', 2)]);
    expect(refused).toEqual(['after-withdrawal']);
    expect(Object.values(state.records)).toMatchObject([{ kind: 'death', dateOfDeath: '2007-06-30', version: 2 }]);
  });

  it('given the initial state, when decided, then it is not mutated', () => {
    const before = JSON.stringify(initialState);
    decide({ type: 'AdmitEvent', event: randomised() }, initialState);
    expect(JSON.stringify(initialState)).toBe(before);
  });
});
