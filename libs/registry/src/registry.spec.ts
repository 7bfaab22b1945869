import { Readable, Writable } from 'node:stream';
import { RejectsWriter, WarningsWriter } from './rejects';
import { RegistryFileError, readRegistry } from './reader';
import { guessLayout, onsColumns, nrsColumns } from './layouts';
import { validateRow } from './validate';
import { modulus11CheckDigit } from '@trial/linkage';
import { ONS_DEATH } from '../../../test/support/feeds';
import { CHI_FIRST9, nrsLine, onsLine } from '../../../test/support/registry-rows';

const onsHeader = onsColumns.join(',');
const first9 = CHI_FIRST9;
const chi = `${first9}${modulus11CheckDigit(first9)}`;

async function readAll(text: string, layout?: 'ons' | 'nrs') {
  const out = [];
  for await (const r of readRegistry(Readable.from([text]), { extractedOn: '2011-10-02', layout })) out.push(r);
  return out;
}

describe('layouts', () => {
  it('guesses the layout from the header', () => {
    expect(guessLayout(onsHeader.split(','))).toBe('ons');
    expect(guessLayout(nrsColumns.join(',').toLowerCase().split(','))).toBe('nrs');
    expect(guessLayout(['a', 'b'])).toBeNull();
    expect(guessLayout([...onsColumns, ...nrsColumns.filter((c) => c !== 'EVENT_DATE')])).toBe('both');
  });
});

describe('readRegistry (ONS)', () => {
  it('yields the feeds.md record for a valid row, with line numbers from the file', async () => {
    const [r] = await readAll(`${onsHeader}\n${onsLine()}\n`);
    expect(r).toMatchObject({ ok: true, line: 2 });
    if (!r.ok) throw new Error('expected a record');
    expect(r.record).toEqual(ONS_DEATH);
  });
  it.each([
    [{ CANCELLED_FLAG: 'Y' }, 'death-cancelled'],
    [{ NOTIFICATION_TYPE: 'E', EVENT_DATE: '20100101' }, 'embarkation'],
    [{ NOTIFICATION_TYPE: 'R', EVENT_DATE: '20100101' }, 're-entry'],
    [{ NOTIFICATION_TYPE: 'N', REG_DATE_OF_DEATH: '', REG_DATE: '' }, 'no-trace'],
  ])('maps %j to kind %s', async (over, kind) => {
    const [r] = await readAll(`${onsHeader}\n${onsLine(over)}\n`);
    expect(r.ok && r.record.kind).toBe(kind);
  });
  it.each([
    [{ REG_DATE_OF_DEATH: '20090231' }, 'REG_DATE_OF_DEATH', /not a real calendar date/],
    [{ DEC_DATE_OF_BIRTH: '1941-02-03' }, 'DEC_DATE_OF_BIRTH', /yyyyMMdd/],
    [{ REG_DATE_OF_DEATH: '19400101' }, 'REG_DATE_OF_DEATH', /before the date of birth/],
    // Reasons reach the DLQ: they name fields, never echo personal values such as a birth date.
    [{ NOTIFICATION_TYPE: 'X' }, 'NOTIFICATION_TYPE', /not a known notification type/],
    [{ RECORD_ID: '' }, 'RECORD_ID', /required/],
    [{ RECORD_VERSION: 'one' }, 'RECORD_VERSION', /positive whole number/],
    // Parseable, but beyond what a version column holds: the bound is named, not a schema library's words.
    [{ RECORD_VERSION: '9007199254740991' }, 'RECORD_VERSION', /^must be at most 2147483647$/],
    [{ RECORD_VERSION: '99999999999999999999' }, 'RECORD_VERSION', /^must be at most 2147483647$/],
    [{ REG_DATE_OF_DEATH: '' }, 'REG_DATE_OF_DEATH', /required/],
    [{ NOTIFICATION_TYPE: 'E' }, 'EVENT_DATE', /required/],
    [{ NOTIFICATION_TYPE: 'E', EVENT_DATE: '20100101', CANCELLED_FLAG: 'Y' }, 'CANCELLED_FLAG', /only a death/],
  ])('rejects %j in %s', async (over, field, reason) => {
    const [r] = await readAll(`${onsHeader}\n${onsLine(over)}\n`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.field).toBe(field);
    expect(r.error.reason).toMatch(reason);
    expect(r.error.line).toBe(2);
  });
  // Damage to one field of a registration: kept, with a warning naming the column (feeds.md).
  it.each([
    [{ REG_DATE: '20090601' }, 'REG_DATE', /before the date of death/],
    [{ DEC_SEX: 'M' }, 'DEC_SEX', /not a sex code/],
    [{ DEC_CONF_NHS_NUMBER: '9434765918' }, 'DEC_CONF_NHS_NUMBER', /Modulus 11/],
    [{ DEC_CONF_NHS_NUMBER: '', DEC_DATE_OF_BIRTH: '', DEC_SURNAME: '' }, 'DEC_CONF_NHS_NUMBER', /no identifying field/],
  ])('keeps %j with a warning on %s', async (over, field, reason) => {
    const [r] = await readAll(`${onsHeader}\n${onsLine(over)}\n`);
    expect(r).toMatchObject({ ok: true, line: 2, warnings: [{ field, reason: expect.stringMatching(reason) }] });
  });
  it('reports a row with the wrong number of cells and an unclosed quote, and carries on in order', async () => {
    const text = `${onsHeader}\n${onsLine()}\nD1,1,D\n${onsLine({ RECORD_ID: 'D2' })}\n`;
    const rows = await readAll(text);
    expect(rows.map((r) => [r.line, r.ok])).toEqual([
      [2, true],
      [3, false],
      [4, true],
    ]);
    expect(!rows[1].ok && rows[1].error).toMatchObject({ field: '(row)', recordId: 'D1' });
  });
  it('throws a coded error for a header of neither layout, or an empty file', async () => {
    await expect(readAll('a,b\n1,2\n')).rejects.toBeInstanceOf(RegistryFileError);
    await expect(readAll('')).rejects.toMatchObject({ code: 'empty' });
    await expect(readAll('RECORD_ID\n1\n', 'ons')).rejects.toMatchObject({ code: 'missing-columns' });
  });
  it('refuses a header that names one of its columns twice (which cell is the record id would be a guess)', async () => {
    const twice = `${onsHeader},record_id`;
    await expect(readAll(`${twice}\n${onsLine()},OTHER\n`)).rejects.toMatchObject({
      code: 'repeated-columns',
      message: 'the header names the ONS column(s) RECORD_ID more than once',
    });
    // An extra column the layout does not use may repeat: nothing is read from it.
    const rows = await readAll(`${onsHeader},NOTE,NOTE\n${onsLine()},a,b\n`);
    expect(rows.map((r) => r.ok)).toEqual([true]);
  });
  it('refuses a header holding both layouts unless it is told which', async () => {
    const both = [...onsColumns, ...nrsColumns.filter((c) => c !== 'EVENT_DATE')];
    const line = [...onsLine().split(','), ...nrsColumns.filter((c) => c !== 'EVENT_DATE').map(() => '')].join(',');
    await expect(readAll(`${both.join(',')}\n${line}\n`)).rejects.toMatchObject({ code: 'unknown-layout', message: expect.stringMatching(/both/) });
    const rows = await readAll(`${both.join(',')}\n${line}\n`, 'ons');
    expect(rows.map((r) => r.ok)).toEqual([true]);
  });
});

describe('readRegistry (NRS)', () => {
  const header = nrsColumns.join(',');
  it('reads a valid row with a CHI number', async () => {
    const [r] = await readAll(`${header}\n${nrsLine()}\n`);
    expect(r.ok && r.record).toMatchObject({ source: 'NRS', chiNumber: chi, nhsNumber: null, sex: 'M', dateOfBirth: '1941-02-03' });
  });
  it.each([
    [{ SEX: 'F' }, /ninth digit/],
    [{ DATE_OF_BIRTH: '1941-02-04' }, /date of birth/],
    [{ CHI: `${first9}${(modulus11CheckDigit(first9)! + 1) % 10}` }, /Modulus/],
  ])('keeps a row whose CHI disagrees, with a warning on CHI: %j', async (over, reason) => {
    const [r] = await readAll(`${header}\n${nrsLine(over)}\n`);
    expect(r).toMatchObject({ ok: true, warnings: [{ field: 'CHI', reason: expect.stringMatching(reason) }] });
    expect(r.ok && r.record).toMatchObject({
      chiNumber: (over as { CHI?: string }).CHI ?? chi,
      identifierWarnings: [{ field: 'chiNumber', reason: expect.stringMatching(reason) }],
    });
  });
  it('keeps a row with an ONS sex code in the NRS layout, its sex missing, with a warning', () => {
    const r = validateRow('nrs', Object.fromEntries(nrsColumns.map((c, i) => [c, nrsLine({ SEX: '1' }).split(',')[i]])), {
      line: 9,
      extractedOn: '2011-10-02',
    });
    expect(r).toMatchObject({ ok: true, line: 9, record: { sex: null }, warnings: [{ field: 'SEX' }] });
  });
});

describe('RejectsWriter', () => {
  it('writes line, field, reason as CSV', async () => {
    let text = '';
    const out = new Writable({
      write(chunk, _e, cb) {
        text += String(chunk);
        cb();
      },
    });
    const w = new RejectsWriter(out);
    await w.write({ line: 3, recordId: 'D1', field: 'REG_DATE', reason: 'is before the date of death, "x"' });
    await w.close();
    expect(text).toBe('line,field,reason\n3,REG_DATE,"is before the date of death, ""x"""\n');
    expect(w.count).toBe(1);
  });
});

describe('WarningsWriter', () => {
  it('writes line, field, reason as CSV, one warning a line', async () => {
    let text = '';
    const out = new Writable({
      write(chunk, _e, cb) {
        text += String(chunk);
        cb();
      },
    });
    const w = new WarningsWriter(out);
    await w.write({ line: 4, field: 'DEC_CONF_NHS_NUMBER', reason: 'fails the Modulus 11 check' });
    await w.write({ line: 4, field: 'REG_DATE', reason: 'is before the date of death (REG_DATE_OF_DEATH)' });
    await w.close();
    expect(text).toBe(
      'line,field,reason\n4,DEC_CONF_NHS_NUMBER,fails the Modulus 11 check\n4,REG_DATE,is before the date of death (REG_DATE_OF_DEATH)\n',
    );
    expect(w.count).toBe(2);
  });
});
