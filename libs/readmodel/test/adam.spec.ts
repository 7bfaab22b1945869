import { parse } from 'csv-parse/sync';
import { unzipSync } from 'fflate';
import { noPlans } from '@trial/contracts';
import { adamAdtteTable, adamZip, adslTable, ADAM_FILES, COMPETING_CNSR, tableCsv } from '../src';
import { design, followUp } from './adam-fixtures';

const created = new Date('2011-10-03T09:00:00Z');
const cohort = [
  followUp({ id: 'P1', arm: 'IABP', born: '1930-01-01', region: 'London', death: { on: '2009-06-30', cause: 'I21.9' } }),
  followUp({ id: 'P2', arm: 'control', born: '1941-02-03', sex: 'F', region: 'North', death: { on: '2008-01-10', cause: 'C34.1' } }),
  followUp({ id: 'P3', arm: 'control', born: '1950-05-05', region: 'London' }),
  followUp({ id: 'P4', arm: 'IABP', region: 'North', death: { on: '2007-05-01', cause: null } }),
];

describe('ADSL', () => {
  const adsl = adslTable('T1', design, cohort);

  it("has one row a patient with the issue's variables, the stratum after SEX", () => {
    expect(adsl.variables.map((v) => v.name)).toEqual([
      'STUDYID',
      'USUBJID',
      'SUBJID',
      'SITEID',
      'ARM',
      'TRT01P',
      'TRT01PN',
      'RANDDT',
      'AGE',
      'AGEU',
      'AGEGR1',
      'SEX',
      'REGION',
      'RANDFL',
      'DTHFL',
      'DTHDT',
      'DTHCAUS',
      'LSTALVDT',
    ]);
    expect(adsl.rows).toHaveLength(4);
    expect(adsl.variables.every((v) => v.label.length > 0 && v.label.length <= 40)).toBe(true);
  });

  it("given a cardiovascular death, then the death flag, date and ICD-10 cause; age banded at the age subgroup's cut", () => {
    expect(adsl.rows[0]).toEqual({
      STUDYID: 'T1',
      USUBJID: 'T1-P1',
      SUBJID: 'P1',
      SITEID: 'KCH',
      ARM: 'IABP',
      TRT01P: 'IABP',
      TRT01PN: 2,
      RANDDT: '2006-03-14',
      AGE: 76,
      AGEU: 'YEARS',
      AGEGR1: '>=75',
      SEX: 'M',
      REGION: 'London',
      RANDFL: 'Y',
      DTHFL: 'Y',
      DTHDT: '2009-06-30',
      DTHCAUS: 'I21.9',
      LSTALVDT: '2009-06-30',
    });
  });

  it('given a patient alive at the registry cutoff, then no death and last known alive at the cutoff', () => {
    expect(adsl.rows[2]).toMatchObject({ AGE: 55, AGEGR1: '<75', DTHFL: '', DTHDT: null, DTHCAUS: '', LSTALVDT: '2011-09-30' });
  });

  it('given a v1 trial (no strata or subgroups), then no stratum column and no age group', () => {
    const v1 = adslTable('T1', { ...design, ...noPlans() }, cohort);
    expect(v1.variables.map((v) => v.name)).not.toContain('REGION');
    expect(v1.rows[0].AGEGR1).toBe('');
  });

  it('given a factor named like an ADaM variable, then the column is STRATwR', () => {
    const t = adslTable('T1', { ...design, stratificationFactors: ['region', 'sex'], subgroups: [] }, cohort);
    expect(t.variables.map((v) => v.name)).toEqual(expect.arrayContaining(['REGION', 'STRAT2R']));
  });
});

describe('ADaM ADTTE', () => {
  const adtte = adamAdtteTable('T1', design, cohort);
  const row = (id: string, paramcd: string) => adtte.rows.find((r) => r.SUBJID === id && r.PARAMCD === paramcd);

  it('has one row a patient and parameter: ACM, then each endpoint', () => {
    expect(adtte.rows.map((r) => `${String(r.SUBJID)}:${String(r.PARAMCD)}:${String(r.ASEQ)}`)).toEqual([
      'P1:ACM:1',
      'P1:CVDEATH:2',
      'P2:ACM:1',
      'P2:CVDEATH:2',
      'P3:ACM:1',
      'P3:CVDEATH:2',
      'P4:ACM:1',
      'P4:CVDEATH:2',
    ]);
    for (const name of ['STARTDT', 'ADT', 'AVAL', 'AVALU', 'CNSR', 'EVNTDESC', 'CNSDTDSC', 'SRCDOM', 'SRCVAR', 'ASEQ', 'TRTP']) {
      expect(adtte.variables.map((v) => v.name)).toContain(name);
    }
  });

  it('given a cardiovascular death, then it is the event in both parameters', () => {
    expect(row('P1', 'ACM')).toMatchObject({ CNSR: 0, EVNTDESC: 'DEATH', EVENT: 1, ADT: '2009-06-30', AVAL: 1204 });
    expect(row('P1', 'CVDEATH')).toMatchObject({ CNSR: 0, EVNTDESC: 'CARDIOVASCULAR DEATH', CNSDTDSC: '', EVENT: 1, AVAL: 1204 });
    expect(row('P1', 'CVDEATH')).toMatchObject({ SEX: 'M', AGEGR1: '>=75', REGION: 'London' });
  });

  it('given a death from another cause or of no recorded cause, then the endpoint codes it as the competing event', () => {
    for (const id of ['P2', 'P4']) {
      expect(row(id, 'ACM')).toMatchObject({ CNSR: 0, EVENT: 1 });
      expect(row(id, 'CVDEATH')).toMatchObject({
        CNSR: COMPETING_CNSR,
        EVNTDESC: 'DEATH FROM OTHER CAUSE',
        CNSDTDSC: 'DEATH FROM OTHER CAUSE',
        EVENT: 2,
      });
    }
  });

  it('given a censored patient, then every parameter is censored as all-cause death is', () => {
    const acm = row('P3', 'ACM');
    expect(acm).toMatchObject({ CNSR: 1, CNSDTDSC: 'ONS REGISTRATIONS COMPLETE UP TO', EVENT: 0 });
    expect(row('P3', 'CVDEATH')).toMatchObject({ CNSR: 1, CNSDTDSC: acm?.CNSDTDSC, EVENT: 0, ADT: acm?.ADT, AVAL: acm?.AVAL });
  });

  it('escapes formula text in its CSV and keeps numbers as numbers', () => {
    const evil = adamAdtteTable('=T1', { ...design, arms: ['control', '@IABP'] }, [followUp({ id: 'P1', arm: '@IABP', region: '+x' })]);
    const csv = tableCsv(evil);
    const back = parse(csv, { columns: true }) as Array<Record<string, string>>;
    expect(back[0]).toMatchObject({ STUDYID: "'=T1", TRTP: "'@IABP", REGION: "'+x", AVAL: '2026' });
  });
});

describe('adamZip', () => {
  it('holds ADSL and ADTTE as CSV and XPT, and the same inputs give the same bytes', () => {
    const zip = adamZip('T1', design, cohort, created);
    expect(Object.keys(unzipSync(zip)).sort()).toEqual([...ADAM_FILES].sort());
    expect(Buffer.from(adamZip('T1', design, cohort, created)).equals(Buffer.from(zip))).toBe(true);
  });
});
