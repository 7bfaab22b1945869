import type { RegistryEvent, RegistrySource } from '@trial/contracts';
import { evolveCompleteness, isFollowupEvent, type Completeness } from '../src';
import { given, randomised } from './given';

/** Completeness corrections, folded with the extracts in log order. */
const extract = (source: RegistrySource, completeUpTo: string): RegistryEvent => ({
  v: 1,
  type: 'RegistryExtractCompleted',
  eventId: `x-${source}-${completeUpTo}`,
  occurredAt: '2011-10-03T09:00:00Z',
  source,
  completeUpTo,
});
const correction = (source: RegistrySource, completeUpTo: string): RegistryEvent => ({
  v: 1,
  type: 'RegistryCompletenessCorrected',
  eventId: `c-${source}-${completeUpTo}`,
  occurredAt: '2011-10-04T09:00:00Z',
  source,
  completeUpTo,
  reason: 'extract-complete sent with a wrong date',
  correctedBy: 'registry-admin-1',
});
const fold = (events: RegistryEvent[], from: Completeness = {}): Completeness => events.reduce(evolveCompleteness, from);

describe('evolveCompleteness with corrections', () => {
  it('given a future extract-complete, when a correction follows, then completeness moves back to the corrected date', () => {
    expect(fold([extract('ONS', '2011-09-30'), extract('ONS', '2099-12-31'), correction('ONS', '2011-09-30')])).toEqual({ ONS: '2011-09-30' });
  });

  it('given a correction, when a later extract arrives, then completeness moves forward again as usual', () => {
    expect(fold([extract('ONS', '2099-12-31'), correction('ONS', '2011-06-30'), extract('ONS', '2011-09-30')])).toEqual({ ONS: '2011-09-30' });
  });

  it('given a correction, when an older extract arrives after it, then completeness does not go back below the correction', () => {
    expect(fold([correction('ONS', '2011-09-30'), extract('ONS', '2011-06-30')])).toEqual({ ONS: '2011-09-30' });
  });

  it('given corrections of one registry, when folded, then the other registry is untouched', () => {
    expect(fold([extract('NRS', '2011-03-31'), extract('ONS', '2099-12-31'), correction('ONS', '2011-09-30')])).toEqual({
      ONS: '2011-09-30',
      NRS: '2011-03-31',
    });
  });

  it('given a registry never completed, when a correction arrives, then it sets the date', () => {
    expect(fold([correction('NRS', '2010-12-31')])).toEqual({ NRS: '2010-12-31' });
  });

  it('given the held map, when folded, then it is not mutated', () => {
    const held: Completeness = { ONS: '2099-12-31' };
    fold([correction('ONS', '2011-09-30')], held);
    expect(held).toEqual({ ONS: '2099-12-31' });
  });

  it('given a patient censored at a future cutoff, when the correction is folded, then they are censored at the corrected date', () => {
    const patient = given(randomised());
    expect(patient.derive(fold([extract('ONS', '2099-12-31')])).endDate).toBe('2099-12-31');
    const right = patient.derive(fold([extract('ONS', '2099-12-31'), correction('ONS', '2011-09-30')]));
    expect([right.endDate, right.reason]).toEqual(['2011-09-30', 'registry-cutoff']);
  });

  it('tells a correction from a patient event', () => {
    expect(isFollowupEvent(correction('ONS', '2011-09-30'))).toBe(false);
  });
});
