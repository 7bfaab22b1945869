import type { LogEvent } from '../src';
import { foldCompleteness, sortEvents } from '../src';

/** The projector's and replay's split and fold keep corrections in log order. */
const extract = (completeUpTo: string): LogEvent => ({
  v: 1,
  type: 'RegistryExtractCompleted',
  eventId: `x-${completeUpTo}`,
  occurredAt: '2012-07-06T09:00:00Z',
  source: 'ONS',
  completeUpTo,
});
const correction = (completeUpTo: string): LogEvent => ({
  v: 1,
  type: 'RegistryCompletenessCorrected',
  eventId: `c-${completeUpTo}`,
  occurredAt: '2012-07-07T09:00:00Z',
  source: 'ONS',
  completeUpTo,
  reason: 'sent before the extract was whole',
  correctedBy: 'registry-admin-1',
});

describe('sortEvents and foldCompleteness with a correction', () => {
  it('given extracts and a correction in a log slice, when sorted, then they are registry events in log order and count for no trial', () => {
    const sorted = sortEvents([extract('2012-06-30'), correction('2011-09-30'), extract('2011-12-31')]);
    expect(sorted.extracts.map((e) => `${e.type}:${e.completeUpTo}`)).toEqual([
      'RegistryExtractCompleted:2012-06-30',
      'RegistryCompletenessCorrected:2011-09-30',
      'RegistryExtractCompleted:2011-12-31',
    ]);
    expect(sorted.perTrial.size).toBe(0);
    expect(sorted.patients.size).toBe(0);
  });

  it('given a held date, when a batch with a correction then an older extract is folded, then the correction is the floor', () => {
    const { extracts } = sortEvents([correction('2011-09-30'), extract('2011-06-30')]);
    expect(foldCompleteness({ ONS: '2012-06-30' }, extracts)).toEqual({ ONS: '2011-09-30' });
  });

  it('given the whole log replayed from nothing, then it ends where the live fold ended', () => {
    const log = [extract('2011-09-30'), extract('2012-06-30'), correction('2011-09-30'), extract('2011-12-31')];
    const live = log.reduce((held, e) => foldCompleteness(held, sortEvents([e]).extracts), {});
    expect(foldCompleteness({}, sortEvents(log).extracts)).toEqual(live);
    expect(live).toEqual({ ONS: '2011-12-31' });
  });
});
