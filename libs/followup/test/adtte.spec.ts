import { toAdtteFragment } from '../src';
import { ONS_COMPLETE, deathAmended, deathLinked, embarked, given, noTrace, randomised, seenAlive, withdrew } from './given';

const ons = { ONS: ONS_COMPLETE };

describe('toAdtteFragment', () => {
  it('given a death, when exported, then CNSR 0, ADT the death date and no censor date description', () => {
    expect(toAdtteFragment(given(randomised(), deathLinked('D1', '2009-06-30'), deathAmended('D1', '2009-07-01', 2)).derive(ons))).toEqual({
      STARTDT: '2006-03-14',
      ADT: '2009-07-01',
      AVAL: 1205,
      AVALU: 'DAYS',
      CNSR: 0,
      EVNTDESC: 'DEATH',
      CNSDTDSC: '',
      SRCDOM: 'DeathAmended',
      SRCVAR: 'dateOfDeath',
    });
  });

  it('given each censoring reason, when exported, then CNSR and descriptions follow the reason', () => {
    const rows = [
      given(randomised()).derive(ons),
      given(randomised(), embarked('E1', '2008-04-01')).derive(ons),
      given(randomised(), withdrew('2008-01-01')).derive(ons),
      given(randomised(), seenAlive('2007-03-01'), noTrace()).derive(ons),
      given(randomised()).derive(ons, { dataCutoff: '2010-01-01' }),
      given(randomised()).derive({}),
    ].map(toAdtteFragment);
    expect(rows.map((r) => [r.CNSR, r.EVNTDESC, r.CNSDTDSC, r.SRCDOM, r.SRCVAR])).toEqual([
      [1, 'ALIVE AT REGISTRY CUTOFF', 'ONS REGISTRATIONS COMPLETE UP TO', 'RegistryExtractCompleted', 'completeUpTo'],
      [2, 'EMBARKED', 'DATE OF EMBARKATION', 'Embarked', 'eventDate'],
      [3, 'WITHDREW CONSENT', 'DATE CONSENT WITHDRAWAL EFFECTIVE', 'ConsentWithdrawn', 'effectiveOn'],
      [4, 'NOT TRACED BY REGISTRY', 'DATE LAST SEEN ALIVE', 'PatientSeenAlive', 'seenOn'],
      [1, 'ALIVE AT DATA CUTOFF', 'DATA CUTOFF DATE', 'DataCutoff', 'dataCutoff'],
      [1, 'ALIVE AT REGISTRY CUTOFF', 'LAST KNOWN ALIVE (NO ONS COMPLETENESS YET)', 'PatientRandomised', 'randomisedOn'],
    ]);
  });

  it('given an end date before randomisation, when exported, then ADT is the start (AVAL 0) and the recorded date is described', () => {
    const row = toAdtteFragment(given(randomised(), embarked('E1', '2005-01-01')).derive(ons));
    expect(row).toMatchObject({ ADT: '2006-03-14', AVAL: 0, CNSR: 2, CNSDTDSC: 'DATE OF EMBARKATION (RECORDED 2005-01-01, BEFORE RANDOMISATION)' });
  });
});
