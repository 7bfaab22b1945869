import { daysBetween } from '@trial/contracts';
import { deriveFollowUp, initialState } from '../src';
import {
  ONS_COMPLETE,
  RANDOMISED_ON,
  corrected,
  deathAmended,
  deathLinked,
  deathWithdrawn,
  embarked,
  given,
  noTrace,
  randomised,
  reEntered,
  seenAlive,
  withdrew,
} from './given';

const days = (date: string): number => daysBetween(RANDOMISED_ON, date);
const ons = { ONS: ONS_COMPLETE };

describe('deriveFollowUp: death', () => {
  it('given a linked death, when derived, then the event is at the date of death (CNSR 0)', () => {
    const f = given(randomised(), deathLinked('D1', '2009-06-30')).derive(ons);
    expect(f).toMatchObject({ status: 1, reason: 'death', cnsr: 0, endDate: '2009-06-30', time: days('2009-06-30') });
    expect(f.source).toEqual({ domain: 'DeathLinked', variable: 'dateOfDeath' });
  });

  it('given two live death records, when derived, then the earliest counts', () => {
    const f = given(randomised(), deathLinked('D1', '2009-06-30'), deathLinked('D2', '2009-05-01', 1, 'NRS')).derive(ons);
    expect(f).toMatchObject({ status: 1, endDate: '2009-05-01', dates: expect.objectContaining({ deathOn: '2009-05-01' }) });
  });

  it('given a death and an amendment, when derived, then the event moves to the amended date', () => {
    const f = given(randomised(), deathLinked('D1', '2009-06-30'), deathAmended('D1', '2009-07-15', 2)).derive(ons);
    expect(f).toMatchObject({ status: 1, endDate: '2009-07-15', source: { domain: 'DeathAmended', variable: 'dateOfDeath' } });
  });

  it('given an amendment that arrives before the lower version, when derived, then the higher version still wins', () => {
    const f = given(randomised(), deathAmended('D1', '2009-07-15', 2), deathLinked('D1', '2009-06-30', 1)).derive(ons);
    expect(f.endDate).toBe('2009-07-15');
  });

  it('given a cancelled death, when derived, then the patient is alive again and censored at the registry cutoff', () => {
    const f = given(randomised(), deathLinked('D1', '2009-06-30'), deathWithdrawn('D1', 2)).derive(ons);
    expect(f).toMatchObject({ status: 0, reason: 'registry-cutoff', cnsr: 1, endDate: ONS_COMPLETE, time: days(ONS_COMPLETE) });
    expect(f.dates.deathOn).toBeNull();
  });

  it('given one of two deaths cancelled, when derived, then the other one counts', () => {
    const f = given(randomised(), deathLinked('D1', '2009-05-01'), deathLinked('D2', '2009-06-30'), deathWithdrawn('D1', 2)).derive(ons);
    expect(f).toMatchObject({ status: 1, endDate: '2009-06-30' });
  });

  it('given a death relinked away and then linked again at the same version, when derived, then it counts (later wins at equal versions)', () => {
    const f = given(
      randomised(),
      deathLinked('D1', '2009-06-30'),
      deathWithdrawn('D1', 1, 'review-rejected'),
      deathLinked('D1', '2009-06-30'),
    ).derive(ons);
    expect(f.status).toBe(1);
  });

  it('given a death after the registry completeness date, when derived, then it still counts', () => {
    const f = given(randomised(), deathLinked('D1', '2011-10-05')).derive(ons);
    expect(f).toMatchObject({ status: 1, endDate: '2011-10-05' });
  });
});

describe('deriveFollowUp: registry cutoff and the covering registry', () => {
  it('given an NHS number, when ONS is complete, then censored at ONS completeUpTo with CNSR 1', () => {
    const f = given(randomised(), seenAlive('2007-01-01')).derive({ ONS: ONS_COMPLETE, NRS: '2010-01-01' });
    expect(f).toMatchObject({ status: 0, reason: 'registry-cutoff', cnsr: 1, registry: 'ONS', endDate: ONS_COMPLETE });
    expect(f.source).toEqual({ domain: 'RegistryExtractCompleted', variable: 'completeUpTo' });
  });

  it('given only a CHI number, when derived, then NRS covers them', () => {
    const f = given(randomised({ nhsNumber: null, chiNumber: '0302411234' })).derive({ ONS: ONS_COMPLETE, NRS: '2010-12-31' });
    expect(f).toMatchObject({ registry: 'NRS', endDate: '2010-12-31' });
  });

  it('given both numbers, when derived, then the NHS number wins (ONS)', () => {
    const f = given(randomised({ chiNumber: '0302411234' })).derive({ ONS: ONS_COMPLETE, NRS: '2010-12-31' });
    expect(f).toMatchObject({ registry: 'ONS', endDate: ONS_COMPLETE });
  });

  it('given a correction that removes the NHS number, when derived, then the patient switches to NRS', () => {
    const f = given(randomised({ chiNumber: '0302411234' }), corrected({ nhsNumber: null })).derive({ ONS: ONS_COMPLETE, NRS: '2010-12-31' });
    expect(f).toMatchObject({ registry: 'NRS', endDate: '2010-12-31' });
  });

  it('given a correction that adds an NHS number to a CHI patient, when derived, then the patient switches to ONS', () => {
    const f = given(randomised({ nhsNumber: null, chiNumber: '0302411234' }), corrected({ nhsNumber: '9434765870' })).derive({
      ONS: ONS_COMPLETE,
      NRS: '2010-12-31',
    });
    expect(f).toMatchObject({ registry: 'ONS', endDate: ONS_COMPLETE });
  });

  it('given no completeness from their registry yet, when derived, then censored at the last date known alive, reason registry cutoff', () => {
    const f = given(randomised(), seenAlive('2007-01-01'), seenAlive('2006-09-20')).derive({ NRS: '2010-12-31' });
    expect(f).toMatchObject({ status: 0, reason: 'registry-cutoff', cnsr: 1, endDate: '2007-01-01', flags: ['registry-completeness-unknown'] });
    expect(f.source).toEqual({ domain: 'PatientSeenAlive', variable: 'seenOn' });
  });

  it('given no completeness and no visits, when derived, then censored at randomisation (time 0)', () => {
    const f = given(randomised()).derive({});
    expect(f).toMatchObject({ endDate: RANDOMISED_ON, time: 0, reason: 'registry-cutoff' });
  });

  it('given corrections removing both identifiers, when derived, then censored at last known alive and flagged', () => {
    const f = given(randomised(), seenAlive('2008-01-01'), corrected({ nhsNumber: null })).derive(ons);
    expect(f).toMatchObject({ registry: null, endDate: '2008-01-01', flags: ['no-registry-identifier'] });
  });
});

describe('deriveFollowUp: embarkation', () => {
  it('given an embarkation without re-entry, when derived, then censored at embarkation with CNSR 2', () => {
    const f = given(randomised(), embarked('E1', '2008-04-01')).derive(ons);
    expect(f).toMatchObject({ status: 0, reason: 'embarked', cnsr: 2, endDate: '2008-04-01', time: days('2008-04-01') });
  });

  it('given an embarkation and then a death with no re-entry, when derived, then the death does not count', () => {
    const f = given(randomised(), embarked('E1', '2008-04-01'), deathLinked('D1', '2009-06-30')).derive(ons);
    expect(f).toMatchObject({ status: 0, reason: 'embarked', endDate: '2008-04-01', flags: ['death-after-embarkation'] });
  });

  it('given an embarkation and a re-entry, when derived, then follow-up resumes to the registry cutoff', () => {
    const f = given(randomised(), embarked('E1', '2008-04-01'), reEntered('R1', '2008-10-01')).derive(ons);
    expect(f).toMatchObject({ reason: 'registry-cutoff', endDate: ONS_COMPLETE });
  });

  it('given an embarkation, a re-entry and then a death, when derived, then the death counts', () => {
    const f = given(randomised(), embarked('E1', '2008-04-01'), reEntered('R1', '2008-10-01'), deathLinked('D1', '2009-06-30')).derive(ons);
    expect(f).toMatchObject({ status: 1, endDate: '2009-06-30' });
  });

  it('given a second trip without re-entry, when derived, then censored at the second embarkation', () => {
    const f = given(randomised(), embarked('E1', '2007-04-01'), reEntered('R1', '2007-10-01'), embarked('E2', '2009-01-01')).derive(ons);
    expect(f).toMatchObject({ reason: 'embarked', endDate: '2009-01-01' });
  });

  it('given a death on the day of embarkation, when derived, then it counts (not after)', () => {
    const f = given(randomised(), embarked('E1', '2008-04-01'), deathLinked('D1', '2008-04-01')).derive(ons);
    expect(f).toMatchObject({ status: 1, endDate: '2008-04-01' });
  });

  it('given a re-entry on the day of embarkation, when derived, then the trip is closed', () => {
    const f = given(randomised(), reEntered('R1', '2008-04-01'), embarked('E1', '2008-04-01')).derive(ons);
    expect(f.reason).toBe('registry-cutoff');
  });
});

describe('deriveFollowUp: consent withdrawal', () => {
  it('given a withdrawal, when derived, then censored at its effective date with CNSR 3', () => {
    const f = given(randomised(), withdrew('2008-01-01')).derive(ons);
    expect(f).toMatchObject({
      status: 0,
      reason: 'withdrew',
      cnsr: 3,
      endDate: '2008-01-01',
      source: { domain: 'ConsentWithdrawn', variable: 'effectiveOn' },
    });
  });

  it('given a death after withdrawal, when derived, then it does not count', () => {
    const f = given(randomised(), withdrew('2008-01-01'), deathLinked('D1', '2009-06-30')).derive(ons);
    expect(f).toMatchObject({ status: 0, reason: 'withdrew', endDate: '2008-01-01', flags: [], dates: expect.objectContaining({ deathOn: null }) });
  });

  it('given a death before withdrawal, when derived, then it counts', () => {
    const f = given(randomised(), deathLinked('D1', '2007-06-30'), withdrew('2008-01-01')).derive(ons);
    expect(f).toMatchObject({ status: 1, endDate: '2007-06-30' });
  });

  it('given an embarkation before withdrawal and a re-entry after it, when derived, then censored at embarkation', () => {
    const f = given(randomised(), embarked('E1', '2007-06-01'), withdrew('2008-01-01'), reEntered('R1', '2008-06-01')).derive(ons);
    expect(f).toMatchObject({ reason: 'embarked', endDate: '2007-06-01' });
  });

  it('given withdrawal and embarkation on the same day, when derived, then the reason is withdrew', () => {
    const f = given(randomised(), embarked('E1', '2008-01-01'), withdrew('2008-01-01')).derive(ons);
    expect(f.reason).toBe('withdrew');
  });
});

describe('deriveFollowUp: no trace', () => {
  it('given a no-trace flag, when derived, then censored at the last date seen alive with CNSR 4', () => {
    const f = given(randomised(), seenAlive('2006-09-20'), seenAlive('2007-03-01'), noTrace()).derive(ons);
    expect(f).toMatchObject({
      status: 0,
      reason: 'not-traced',
      cnsr: 4,
      endDate: '2007-03-01',
      source: { domain: 'PatientSeenAlive', variable: 'seenOn' },
    });
  });

  it('given a no-trace flag and no visits, when derived, then censored at randomisation', () => {
    const f = given(randomised(), noTrace()).derive(ons);
    expect(f).toMatchObject({
      reason: 'not-traced',
      endDate: RANDOMISED_ON,
      time: 0,
      source: { domain: 'PatientRandomised', variable: 'randomisedOn' },
    });
  });

  it('given a no-trace record that becomes a death at a higher version, when derived, then the patient is traced and the death counts', () => {
    const f = given(randomised(), noTrace('N1', 1), deathLinked('N1', '2009-06-30', 2)).derive(ons);
    expect(f).toMatchObject({ status: 1, endDate: '2009-06-30' });
  });

  it('given no-trace and no completeness yet, when derived, then the more specific reason (not traced) is reported', () => {
    const f = given(randomised(), seenAlive('2007-03-01'), noTrace()).derive({});
    expect(f).toMatchObject({ reason: 'not-traced', endDate: '2007-03-01' });
  });
});

describe('deriveFollowUp: dataCutoff', () => {
  it('given a death after the cutoff, when derived with a cutoff, then censored at the cutoff', () => {
    const f = given(randomised(), deathLinked('D1', '2010-06-30')).derive(ons, { dataCutoff: '2010-01-01' });
    expect(f).toMatchObject({
      status: 0,
      reason: 'data-cutoff',
      cnsr: 1,
      endDate: '2010-01-01',
      source: { domain: 'DataCutoff', variable: 'dataCutoff' },
    });
  });

  it('given a death on the cutoff date, when derived, then it counts', () => {
    const f = given(randomised(), deathLinked('D1', '2010-01-01')).derive(ons, { dataCutoff: '2010-01-01' });
    expect(f.status).toBe(1);
  });

  it('given a cutoff after the registry completeness, when derived, then the registry cutoff still applies', () => {
    const f = given(randomised()).derive(ons, { dataCutoff: '2012-01-01' });
    expect(f).toMatchObject({ reason: 'registry-cutoff', endDate: ONS_COMPLETE });
  });

  it('given a cutoff equal to the registry completeness, when derived, then the reason is the registry', () => {
    expect(given(randomised()).derive(ons, { dataCutoff: ONS_COMPLETE }).reason).toBe('registry-cutoff');
  });

  it('given a withdrawal, embarkation and re-entry after the cutoff, when derived, then they are ignored', () => {
    const g = given(randomised(), embarked('E1', '2009-06-01'), reEntered('R1', '2010-06-01'), withdrew('2010-09-01'));
    expect(g.derive(ons, { dataCutoff: '2010-01-01' })).toMatchObject({
      reason: 'embarked',
      endDate: '2009-06-01',
      dates: expect.objectContaining({ withdrawnOn: null }),
    });
    expect(g.derive(ons, { dataCutoff: '2009-01-01' })).toMatchObject({ reason: 'data-cutoff', endDate: '2009-01-01' });
  });

  it('given visits after the cutoff and a no-trace flag, when derived, then the last visit on or before the cutoff counts', () => {
    const f = given(randomised(), seenAlive('2007-01-01'), seenAlive('2009-01-01'), noTrace()).derive(ons, { dataCutoff: '2008-01-01' });
    expect(f).toMatchObject({ reason: 'not-traced', endDate: '2007-01-01' });
  });
});

describe('deriveFollowUp: times are never negative', () => {
  it('given an embarkation before randomisation, when derived, then time is 0 and the recorded date is kept and flagged', () => {
    const f = given(randomised(), embarked('E1', '2005-01-01')).derive(ons);
    expect(f).toMatchObject({
      time: 0,
      endDate: '2005-01-01',
      analysisDate: RANDOMISED_ON,
      reason: 'embarked',
      flags: ['ends-before-randomisation'],
    });
  });

  it('given a data cutoff before randomisation, when derived, then time is 0', () => {
    expect(given(randomised()).derive(ons, { dataCutoff: '2006-01-01' }).time).toBe(0);
  });
});

describe('deriveFollowUp: not randomised', () => {
  it('given only an outcome, when derived, then it is refused as not randomised', () => {
    expect(deriveFollowUp(initialState, ons)).toMatchObject({ ok: false, error: { code: 'not-randomised' } });
    expect(deriveFollowUp(given(deathLinked('D1', '2009-06-30')).state, ons).ok).toBe(false);
  });
});
