// `followup link` against link-cli.md: JSON Lines in file order, the decisions, exit 0/2.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { CliRun, runCli } from '../../../test/support/cli';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modulus11CheckDigit } from '@trial/linkage';
import { register } from '../src/commands/link';

const dir = mkdtempSync(join(tmpdir(), 'link-cli-'));
const cohort = join(dir, 'cohort.csv');
const extract = join(dir, 'extract.csv');
const nrsExtract = join(dir, 'nrs.csv');
const chi = (first9: string) => `${first9}${modulus11CheckDigit(first9)}`;
writeFileSync(cohort, [
  'trialId,patientId,arm,randomisedOn,nhsNumber,chiNumber,dateOfBirth,sex,familyName,givenNames,postcode',
  'BCIS-1,BCIS1-0001,IABP,2006-03-14,9434765919,,1941-02-03,M,Smith,John Paul,SE1 7EH',
  'BCIS-1,BCIS1-0002,control,2006-04-01,4010232137,,1950-06-15,F,Jones,Mary,M1 1AA',
  `BCIS-1,BCIS1-0003,control,2007-01-01,,${chi('030245124')},1945-02-03,F,Reid,Ann,EH1 1AA`,
].join('\n') + '\n');
const ons = 'RECORD_ID,RECORD_VERSION,NOTIFICATION_TYPE,DEC_CONF_NHS_NUMBER,DEC_DATE_OF_BIRTH,DEC_SEX,DEC_SURNAME,DEC_FORENAMES,DEC_POSTCODE,REG_DATE_OF_DEATH,REG_DATE,S_UNDERLYING_COD_ICD10,POD_CODE,EVENT_DATE,CANCELLED_FLAG';
writeFileSync(extract, [
  ons,
  'D2009-000123,1,D,9434765919,19410203,1,SMITH,JOHN PAUL,SE1 7EH,20090630,20090706,I21.9,hospital,,',
  'D2009-000124,1,D,,19500615,2,JONES,MARY,M1 1AA,20090701,20090702,I21.9,home,,',
  'D2009-000125,1,D,,19300101,1,PATEL,RAJ,B1 1AA,20090701,20090702,I21.9,home,,',
  'D2009-000126,1,D,,19410231,1,SMITH,JOHN,SE1 7EH,20090701,20090702,I21.9,home,,',
  'D2005-000127,1,D,9434765919,19410203,1,SMITH,JOHN PAUL,SE1 7EH,20050101,20050102,I21.9,home,,',
].join('\n') + '\n');
writeFileSync(nrsExtract, [
  'ENTRY_ID,VERSION,TYPE,CHI,DATE_OF_BIRTH,SEX,SURNAME,FORENAMES,POSTCODE,DATE_OF_DEATH,DATE_OF_REGISTRATION,UNDERLYING_CAUSE,EVENT_DATE,CANCELLED',
  `S1,1,D,${chi('030245124')},1945-02-03,F,REID,ANN,EH1 1AA,2009-06-30,2009-07-01,I21.9,,`,
].join('\n') + '\n');

const run = (args: string[]): Promise<CliRun> => runCli([register], ['link', ...args]);

describe('followup link (link-cli.md)', () => {
  it('prints one JSON object per row, in file order, with the contract fields', async () => {
    const { out, code, err } = await run(['--cohort', cohort, '--registry', extract, '--json']);
    // stdout holds only the rows; the prior used is the one line on stderr.
    expect(err).toMatch(/^followup link: prior λ = [^\n]+\n$/);
    expect(code).toBe(0);
    const rows = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => r.line)).toEqual([2, 3, 4, 5, 6]);
    for (const r of rows) expect(Object.keys(r)).toEqual(['line', 'source', 'recordId', 'version', 'kind', 'decision', 'patientId', 'weight', 'reason']);
    expect(rows[0]).toMatchObject({ source: 'ONS', recordId: 'D2009-000123', version: 1, kind: 'death', decision: 'linked', patientId: 'BCIS1-0001', reason: null });
    expect(typeof rows[0].weight).toBe('number');
    expect(rows[1]).toMatchObject({ decision: 'linked', patientId: 'BCIS1-0002' });
    expect(rows[2]).toMatchObject({ decision: 'unlinked' });
    expect(rows[3]).toMatchObject({ decision: 'rejected', weight: null, patientId: null });
    expect(rows[3].reason).toMatch(/^DEC_DATE_OF_BIRTH: .*not a real calendar date/);
    expect(rows[4]).toMatchObject({ decision: 'review', patientId: 'BCIS1-0001' }); // death before randomisation
  });
  it('reads the NRS layout, guessed or given', async () => {
    for (const extra of [[], ['--layout', 'nrs']]) {
      const { out, code } = await run(['--cohort', cohort, '--registry', nrsExtract, '--json', ...extra]);
      expect(code).toBe(0);
      expect(JSON.parse(out.trim())).toMatchObject({ source: 'NRS', recordId: 'S1', decision: 'linked', patientId: 'BCIS1-0003' });
    }
  });
  it('prints a readable summary without --json', async () => {
    const { out, code } = await run(['--cohort', cohort, '--registry', extract]);
    expect(code).toBe(0);
    expect(out).toMatch(/5 ONS rows against 3 patients/);
    expect(out).toMatch(/linked\s+2/);
    expect(out).toMatch(/rejected\s+1/);
  });
  it('exits 2 with one stderr line when a file cannot be read', async () => {
    for (const args of [
      ['--cohort', join(dir, 'missing.csv'), '--registry', extract],
      ['--cohort', cohort, '--registry', join(dir, 'missing.csv')],
      ['--cohort', cohort, '--registry', cohort],
    ]) {
      const { err, code, out } = await run(args);
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err.endsWith('\n')).toBe(true);
      expect(err.trim().split('\n')).toHaveLength(1);
    }
  });
});
