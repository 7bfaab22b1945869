import { parse } from 'csv-parse/sync';
import type { FollowUp } from '@trial/followup';
import { adtteCsv, adtteRows } from './adtte';

// An export opened in a spreadsheet must not run a formula from a label or an id, and its
// numbers must stay numbers for R and SAS: AVAL is negative when a death was recorded before
// randomisation.
const followUp = (patientId: string, arm: string, time: number): FollowUp =>
  ({
    patientId,
    arm,
    randomisedOn: '2006-03-14',
    endDate: '2006-03-10',
    analysisDate: '2006-03-14',
    time,
    status: 1,
    cnsr: 0,
    reason: 'death',
    source: { domain: 'DS', variable: 'DSSTDTC' },
  }) as unknown as FollowUp;

describe('adtteCsv and CSV injection', () => {
  it('escapes formula text cells and leaves numeric ones as numbers', () => {
    const rows = adtteRows('=T1', null, [followUp("=cmd|' /C calc'!A0", '@arm', -4), followUp('P2', '+SUM(A1)', 0)]);
    const csv = adtteCsv(rows);
    expect(csv).not.toMatch(/(^|,)([=+@\t\r]|-\D)/m);
    const back = parse(csv, { columns: true }) as Array<Record<string, string>>;
    expect(back.map((r) => [r.STUDYID, r.USUBJID, r.TRTP, r.AVAL])).toEqual([
      ["'=T1", "'=T1-=cmd|' /C calc'!A0", "'@arm", '-4'],
      ["'=T1", "'=T1-P2", "'+SUM(A1)", '0'],
    ]);
    expect(csv.split('\n')[1]).toMatch(/,-4,/);
  });
});
