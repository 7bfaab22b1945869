import { evolve, evolveCompleteness, initialState, isFollowupEvent, replay } from '../src';
import { corrected, deathAmended, deathLinked, deathWithdrawn, randomised, seenAlive, withdrew } from './given';

describe('evolve', () => {
  it('given a randomisation, when it is redelivered after a correction, then the correction stands', () => {
    const r = randomised();
    const s = replay([r, corrected({ nhsNumber: null, chiNumber: '0302411234' }), r]);
    expect(s).toMatchObject({ nhsNumber: null, chiNumber: '0302411234' });
  });

  it('given visits in any order, when folded, then all dates are kept sorted without repeats', () => {
    const s = replay([randomised(), seenAlive('2007-03-01'), seenAlive('2006-09-20'), seenAlive('2007-03-01')]);
    expect(s.seenAlive).toEqual(['2006-09-20', '2007-03-01']);
  });

  it('given two withdrawals, when folded, then the earlier one stands', () => {
    expect(replay([randomised(), withdrew('2009-01-01'), withdrew('2008-01-01')]).withdrawnOn).toBe('2008-01-01');
  });

  it('given a cancellation, when the original version is redelivered, then the tombstone holds', () => {
    const s = replay([
      randomised(),
      deathLinked('D1', '2009-06-30', 1),
      deathWithdrawn('D1', 2),
      deathLinked('D1', '2009-06-30', 1),
      deathAmended('D1', '2009-07-01', 1),
    ]);
    expect(s.records['ONS:D1']).toMatchObject({ kind: 'death-withdrawn', version: 2 });
  });

  it('given a conflict flag, when folded, then the record keys are listed once, sorted', () => {
    const flag = {
      v: 1 as const,
      type: 'DeathConflictFlagged' as const,
      eventId: 'c1',
      trialId: 'BCIS-1',
      patientId: 'P1',
      occurredAt: 'x',
      source: 'ONS' as const,
      recordId: 'D2',
      version: 1,
      otherRecordIds: ['D1'],
    };
    expect(replay([randomised(), flag, flag]).conflicts).toEqual(['ONS:D1', 'ONS:D2']);
  });

  it('given the initial state, when evolved, then it is not mutated', () => {
    const before = JSON.stringify(initialState);
    evolve(initialState, randomised());
    expect(JSON.stringify(initialState)).toBe(before);
  });

  it('tells patient events from trial- and registry-wide ones', () => {
    expect(isFollowupEvent(randomised())).toBe(true);
    expect(
      isFollowupEvent({ v: 1, type: 'RegistryExtractCompleted', eventId: 'x', occurredAt: 'x', source: 'ONS', completeUpTo: '2011-09-30' }),
    ).toBe(false);
  });
});

describe('evolveCompleteness', () => {
  const extract = (source: 'ONS' | 'NRS', completeUpTo: string) => ({
    v: 1 as const,
    type: 'RegistryExtractCompleted' as const,
    eventId: completeUpTo,
    occurredAt: 'x',
    source,
    completeUpTo,
  });

  it('given extracts from both registries, when folded, then each keeps its own latest date and never goes back', () => {
    const c = [extract('ONS', '2011-09-30'), extract('NRS', '2010-12-31'), extract('ONS', '2011-06-30')].reduce(evolveCompleteness, {});
    expect(c).toEqual({ ONS: '2011-09-30', NRS: '2010-12-31' });
  });
});
