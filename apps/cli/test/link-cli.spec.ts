// `followup link` against link-cli.md: JSON Lines in file order, the decisions, exit 0/2.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { CliRun, runCli } from '../../../test/support/cli';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultModel, modulus11CheckDigit } from '@trial/linkage';
import { register } from '../src/commands/link';

const dir = mkdtempSync(join(tmpdir(), 'link-cli-'));
const cohort = join(dir, 'cohort.csv');
const extract = join(dir, 'extract.csv');
const nrsExtract = join(dir, 'nrs.csv');
const damagedOns = join(dir, 'damaged-ons.csv');
const damagedNrs = join(dir, 'damaged-nrs.csv');
const chi = (first9: string) => `${first9}${modulus11CheckDigit(first9)}`;
writeFileSync(
  cohort,
  [
    'trialId,patientId,arm,randomisedOn,nhsNumber,chiNumber,dateOfBirth,sex,familyName,givenNames,postcode',
    'BCIS-1,BCIS1-0001,IABP,2006-03-14,9434765919,,1941-02-03,M,Smith,John Paul,SE1 7EH',
    'BCIS-1,BCIS1-0002,control,2006-04-01,4010232137,,1950-06-15,F,Jones,Mary,M1 1AA',
    `BCIS-1,BCIS1-0003,control,2007-01-01,,${chi('030245124')},1945-02-03,F,Reid,Ann,EH1 1AA`,
  ].join('\n') + '\n',
);
const ons =
  'RECORD_ID,RECORD_VERSION,NOTIFICATION_TYPE,DEC_CONF_NHS_NUMBER,DEC_DATE_OF_BIRTH,DEC_SEX,DEC_SURNAME,DEC_FORENAMES,DEC_POSTCODE,REG_DATE_OF_DEATH,REG_DATE,S_UNDERLYING_COD_ICD10,POD_CODE,EVENT_DATE,CANCELLED_FLAG';
writeFileSync(
  extract,
  [
    ons,
    'D2009-000123,1,D,9434765919,19410203,1,SMITH,JOHN PAUL,SE1 7EH,20090630,20090706,I21.9,hospital,,',
    'D2009-000124,1,D,,19500615,2,JONES,MARY,M1 1AA,20090701,20090702,I21.9,home,,',
    'D2009-000125,1,D,,19300101,1,PATEL,RAJ,B1 1AA,20090701,20090702,I21.9,home,,',
    'D2009-000126,1,D,,19410231,1,SMITH,JOHN,SE1 7EH,20090701,20090702,I21.9,home,,',
    'D2005-000127,1,D,9434765919,19410203,1,SMITH,JOHN PAUL,SE1 7EH,20050101,20050102,I21.9,home,,',
  ].join('\n') + '\n',
);
writeFileSync(
  nrsExtract,
  [
    'ENTRY_ID,VERSION,TYPE,CHI,DATE_OF_BIRTH,SEX,SURNAME,FORENAMES,POSTCODE,DATE_OF_DEATH,DATE_OF_REGISTRATION,UNDERLYING_CAUSE,EVENT_DATE,CANCELLED',
    `S1,1,D,${chi('030245124')},1945-02-03,F,REID,ANN,EH1 1AA,2009-06-30,2009-07-01,I21.9,,`,
  ].join('\n') + '\n',
);

// Damaged identifiers (feeds.md, "Identifier checks"): a warning, never a reject by themselves.
writeFileSync(
  damagedOns,
  [
    ons,
    // The patient's number with its check digit mistyped: fails Modulus 11, one digit away.
    'D2009-000200,1,D,9434765918,19410203,1,SMITH,JOHN PAUL,SE1 7EH,20090630,20090706,I21.9,hospital,,',
    // A damaged number on a row that is no registration for another reason: rejected, the warning shown too.
    'D2009-000201,1,D,9434765918,19410203,1,SMITH,JOHN PAUL,SE1 7EH,,,I21.9,hospital,,',
  ].join('\n') + '\n',
);
writeFileSync(
  damagedNrs,
  [
    'ENTRY_ID,VERSION,TYPE,CHI,DATE_OF_BIRTH,SEX,SURNAME,FORENAMES,POSTCODE,DATE_OF_DEATH,DATE_OF_REGISTRATION,UNDERLYING_CAUSE,EVENT_DATE,CANCELLED',
    // The patient's CHI, whose first six digits (030245) disagree with the date of birth the registry recorded.
    `S2,1,D,${chi('030245124')},1945-02-13,F,REID,ANN,EH1 1AA,2009-06-30,2009-07-01,I21.9,,`,
  ].join('\n') + '\n',
);

const run = (args: string[]): Promise<CliRun> => runCli([register], ['link', ...args]);
// Each run starts a reader thread: on a loaded machine that takes seconds, and a test that ran
// past the default timeout would overlap the next one's captured stdout.
jest.setTimeout(60_000);

describe('followup link (link-cli.md)', () => {
  it('prints one JSON object per row, in file order, with the contract fields', async () => {
    const { out, code, err } = await run(['--cohort', cohort, '--registry', extract, '--json']);
    // stdout holds only the rows; the prior used is the one line on stderr.
    expect(err).toMatch(/^followup link: prior λ = [^\n]+\n$/);
    expect(code).toBe(0);
    const rows = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => r.line)).toEqual([2, 3, 4, 5, 6]);
    for (const r of rows)
      expect(Object.keys(r)).toEqual(['line', 'source', 'recordId', 'version', 'kind', 'decision', 'patientId', 'weight', 'reason', 'warnings']);
    for (const r of rows) expect(r.warnings).toEqual([]);
    expect(rows[0]).toMatchObject({
      source: 'ONS',
      recordId: 'D2009-000123',
      version: 1,
      kind: 'death',
      decision: 'linked',
      patientId: 'BCIS1-0001',
      reason: null,
    });
    expect(typeof rows[0].weight).toBe('number');
    expect(rows[1]).toMatchObject({ decision: 'linked', patientId: 'BCIS1-0002' });
    expect(rows[2]).toMatchObject({ decision: 'unlinked' });
    expect(rows[3]).toMatchObject({ decision: 'rejected', weight: null, patientId: null });
    // What was read of a rejected row is reported: its version and kind, as its record id.
    expect(rows[3]).toMatchObject({ version: 1, kind: 'death' });
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
    expect(out).toMatch(/warnings\s+0/);
  });
  it('links or reviews an ONS death whose NHS number fails Modulus 11, with the warning; a reject shows its warnings too', async () => {
    const { out, code, err } = await run(['--cohort', cohort, '--registry', damagedOns, '--json']);
    expect(err).toMatch(/^followup link: prior λ = [^\n]*\n$/); // with --json, stderr holds only the prior line
    expect(code).toBe(0);
    const [warned, rejected] = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(['linked', 'review']).toContain(warned.decision);
    expect(warned).toMatchObject({
      line: 2,
      recordId: 'D2009-000200',
      patientId: 'BCIS1-0001',
      reason: null,
      warnings: [{ field: 'DEC_CONF_NHS_NUMBER', reason: 'fails the Modulus 11 check' }],
    });
    expect(typeof warned.weight).toBe('number');
    expect(rejected).toMatchObject({
      line: 3,
      decision: 'rejected',
      reason: expect.stringMatching(/^REG_DATE_OF_DEATH: /),
      warnings: [{ field: 'DEC_CONF_NHS_NUMBER', reason: 'fails the Modulus 11 check' }],
    });
    expect(out).not.toContain('9434765918');
    const summary = await run(['--cohort', cohort, '--registry', damagedOns]);
    expect(summary.out).toMatch(/rejected\s+1/);
    expect(summary.out).toMatch(/warnings\s+2/);
  });
  it('does not reject an NRS death whose CHI prefix disagrees with the date of birth', async () => {
    const { out, code } = await run(['--cohort', cohort, '--registry', damagedNrs, '--json']);
    expect(code).toBe(0);
    const row = JSON.parse(out.trim());
    expect(['linked', 'review']).toContain(row.decision);
    expect(row).toMatchObject({
      recordId: 'S2',
      patientId: 'BCIS1-0003',
      reason: null,
      warnings: [{ field: 'CHI', reason: 'does not start with the date of birth (DDMMYY)' }],
    });
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

describe('followup link: the prior from the files', () => {
  // A small trial: 40 patients with NHS numbers, each registered once with the number, and one
  // patient without a number whose registration has none and no postcode either, but her exact
  // names, date of birth and sex. Under the model's λ (fitted to 100,000 × 1,000,000) that is
  // about 8 bits: review. λ from these files: (40 + 0.5) / (40 × 40 + 1) = 0.0253, on the grid
  // -5.25 bits, 16.8 bits more: linked.
  const small = mkdtempSync(join(tmpdir(), 'link-prior-'));
  const smallCohort = join(small, 'cohort.csv');
  const smallExtract = join(small, 'extract.csv');
  const nhsOf = (i: number): string => {
    for (let k = 0; ; k++) {
      const first9 = String(400000000 + i * 11 + k);
      const c = modulus11CheckDigit(first9);
      if (c !== null) return `${first9}${c}`;
    }
  };
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const family = (i: number): string => `Qv${letters[i % 26]}${letters[Math.floor(i / 26) % 26]}ix`;
  const dob = (i: number): [string, string] => {
    const d = `19${30 + (i % 40)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
    return [d, d.replace(/-/g, '')];
  };
  const cohortRows = ['trialId,patientId,arm,randomisedOn,nhsNumber,chiNumber,dateOfBirth,sex,familyName,givenNames,postcode'];
  const extractRows = [ons];
  for (let i = 0; i < 40; i++) {
    cohortRows.push(`SMALL,S-${i},A,2006-01-01,${nhsOf(i)},,${dob(i)[0]},M,${family(i)},Olu,SE1 7EH`);
    extractRows.push(
      `D2009-${String(i).padStart(6, '0')},1,D,${nhsOf(i)},${dob(i)[1]},1,${family(i).toUpperCase()},OLU,SE1 7EH,20090630,20090706,I21.9,home,,`,
    );
  }
  cohortRows.push('SMALL,S-NONUM,B,2006-01-01,,,1941-02-03,F,Okonkwo,Chidi Ada,');
  extractRows.push('D2009-999999,1,D,,19410203,2,OKONKWO,CHIDI ADA,,20100101,20100105,I21.9,home,,');
  writeFileSync(smallCohort, `${cohortRows.join('\n')}\n`);
  writeFileSync(smallExtract, `${extractRows.join('\n')}\n`);
  const modelPrior = defaultModel.prior;
  const lastRow = (out: string) => JSON.parse(out.trim().split('\n').at(-1) as string);

  it('estimates λ from the files, links under it what the model’s λ sends to review, and prints it on stderr with --json', async () => {
    const est = await run(['--cohort', smallCohort, '--registry', smallExtract, '--json']);
    expect(est.code).toBe(0);
    expect(est.err).toBe(
      'followup link: prior λ = 2.56e-2 (estimated from 40 registrations with a number × 40 patients with one, 40 deterministic matches; prior weight -5.25 bits)\n',
    );
    const row = lastRow(est.out);
    expect(row).toMatchObject({ recordId: 'D2009-999999', decision: 'linked', patientId: 'S-NONUM' });
    const fixed = await run(['--cohort', smallCohort, '--registry', smallExtract, '--json', '--prior', String(modelPrior)]);
    expect(fixed.code).toBe(0);
    expect(fixed.err).toBe(
      `followup link: prior λ = ${modelPrior.toExponential(2)} (given with --prior; prior weight ${Math.log2(modelPrior / (1 - modelPrior)).toFixed(2)} bits)\n`,
    );
    const atModel = lastRow(fixed.out);
    expect(atModel).toMatchObject({ decision: 'review', patientId: 'S-NONUM' });
    // The same evidence, shifted by the priors' difference (weights are rounded to 0.01).
    expect(row.weight - atModel.weight).toBeCloseTo(-5.25 - Math.log2(modelPrior / (1 - modelPrior)), 1);
    // The 40 numbered rows link deterministically under either λ.
    for (const out of [est.out, fixed.out])
      expect(
        out
          .trim()
          .split('\n')
          .slice(0, 40)
          .every((l) => JSON.parse(l).decision === 'linked'),
      ).toBe(true);
  });

  it('prints the prior in the human summary', async () => {
    const { out, code } = await run(['--cohort', smallCohort, '--registry', smallExtract]);
    expect(code).toBe(0);
    expect(out).toMatch(/linked\s+41 /);
    expect(out).toContain(
      'prior λ = 2.56e-2 (estimated from 40 registrations with a number × 40 patients with one, 40 deterministic matches; prior weight -5.25 bits)',
    );
  });

  it("keeps the model's λ when the files give too few pairs to estimate from, and says so", async () => {
    const { err } = await run(['--cohort', cohort, '--registry', extract, '--json']);
    expect(err).toBe(
      `followup link: prior λ = ${modelPrior.toExponential(2)} (the model's: 2 registrations with a number × 2 patients with one are too few pairs to estimate from; prior weight ${Math.log2(modelPrior / (1 - modelPrior)).toFixed(2)} bits)\n`,
    );
  });

  it('refuses a --prior that is not a probability', async () => {
    for (const p of ['0', '1', 'x', '-0.1']) {
      const { code, out } = await run(['--cohort', smallCohort, '--registry', smallExtract, '--prior', p]).catch((e: unknown) => ({
        code: 1,
        out: '',
        e,
      }));
      expect(code).not.toBe(0);
      expect(out).toBe('');
    }
  });

  it('skips a cohort row that is not a line of cells at its line, naming the column and never the value, and links the rest', async () => {
    const hostile = join(dir, 'hostile-cohort.csv');
    writeFileSync(
      hostile,
      [
        'trialId,patientId,arm,randomisedOn,nhsNumber,chiNumber,dateOfBirth,sex,familyName,givenNames,postcode',
        'BCIS-1,BCIS1-0001,IABP,2006-03-14,9434765919,,1941-02-03,M,Smith,John Paul,SE1 7EH',
        'BCIS-1,BCIS1-0009,control,2006-04-01,,,1950-06-15,F,O"QUIGGLEY,Mary,M1 1AA',
        'BCIS-1,BCIS1-0010,control,2006-04-01,,,1950-06-15,F,"QUIGGLEY,Mary,M1 1AA',
        'BCIS-1,BCIS1-0002,control,2006-04-01,4010232137,,1950-06-15,F,Jones,Mary,M1 1AA',
      ].join('\n') + '\n',
    );
    const { out, code, err } = await run(['--cohort', hostile, '--registry', extract, '--json']);
    expect(code).toBe(0);
    expect(err).toMatch(
      /cohort: 2 row\(s\) not read as patients \(line 3: familyName has a quote inside an unquoted cell.*; line 4: familyName has a quote that is not closed/,
    );
    expect(err).not.toMatch(/QUIGGLEY/);
    const rows = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { recordId: string; decision: string; patientId: string | null });
    expect(rows.find((r) => r.recordId === 'D2009-000123')).toMatchObject({ decision: 'linked', patientId: 'BCIS1-0001' });
  });

  it('keeps the first row of a patientId (the service keeps the first randomisation; the rows name patients by patientId alone) and skips rows the service would refuse', async () => {
    const repeated = join(dir, 'repeated-cohort.csv');
    writeFileSync(
      repeated,
      [
        'trialId,patientId,arm,randomisedOn,nhsNumber,chiNumber,dateOfBirth,sex,familyName,givenNames,postcode',
        'BCIS-1,BCIS1-0001,IABP,2006-03-14,9434765919,,1941-02-03,M,Smith,John Paul,SE1 7EH',
        'BCIS-1,BCIS1-0001,control,2006-04-01,4010232137,,1950-06-15,F,Jones,Mary,M1 1AA',
        'BCIS-1,BCIS1-0004,control,2006-04-01,,,1950-02-30,F,Brown,Ann,M1 1AA',
        'BCIS-1,BCIS1-0005,control,14/03/2006,,,1950-02-03,F,Green,Ann,M1 1AA',
        'BCIS-1,BCIS1-0006,control,2006-04-01,,,1950-02-03,X,White,Ann,M1 1AA',
        'BCIS-2,BCIS1-0001,control,2006-04-01,4010232137,,1950-06-15,F,Jones,Mary,M1 1AA',
      ].join('\n') + '\n',
    );
    const { out, code, err } = await run(['--cohort', repeated, '--registry', extract, '--json']);
    expect(code).toBe(0);
    expect(err).toMatch(
      new RegExp(
        'cohort: 5 row\\(s\\) not read as patients \\(line 3: patientId repeats the patientId of line 2; the first is kept.*; ' +
          'line 4: dateOfBirth is not a real calendar date YYYY-MM-DD; line 5: randomisedOn is not a real calendar date YYYY-MM-DD; line 6: sex is not M, F or U; line 7: patientId repeats the patientId of line 2; the first is kept',
      ),
    );
    expect(err).not.toMatch(/Jones|1950-02-30|14\/03\/2006/);
    const rows = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { recordId: string; decision: string; patientId: string | null });
    // The first BCIS1-0001 (Smith) stands: his registration links on its valid number.
    expect(rows.find((r) => r.recordId === 'D2009-000123')).toMatchObject({ decision: 'linked', patientId: 'BCIS1-0001' });
  });
});
