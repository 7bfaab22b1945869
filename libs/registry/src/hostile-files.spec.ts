// Files that are not one row a line: whatever one line holds, it is one
// reject at its own line, its neighbours are read as if it were not there, and memory stays
// flat however long a line or field is.
import { Readable, Writable } from 'node:stream';
import { onsColumns } from './layouts';
import { readRegistry } from './reader';
import { MAX_LINE_BYTES } from './lines';
import { RejectsWriter, WarningsWriter } from './rejects';
import { onsLine } from '../../../test/support/registry-rows';

const header = onsColumns.join(',');
const row = (id: string, over: Partial<Record<(typeof onsColumns)[number], string>> = {}): string => onsLine({ RECORD_ID: id, ...over });

async function read(input: Readable) {
  const out = [];
  for await (const r of readRegistry(input, { extractedOn: '2011-10-02' })) out.push(r);
  return out;
}

const summary = (rows: Awaited<ReturnType<typeof read>>) =>
  rows.map((r) => (r.ok ? [r.line, 'ok', r.record.recordId] : [r.line, r.error.field, r.error.reason]));

/** The text in 7-byte chunks, so that every quote and line break straddles a chunk. */
const chunked = (text: string): Readable => {
  const b = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let i = 0; i < b.length; i += 7) parts.push(b.subarray(i, i + 7));
  return Readable.from(parts);
};

describe('readRegistry on files that are not one row a line', () => {
  it('rejects an unclosed quote at its own line and reads every later row', async () => {
    const text = [header, row('A1'), row('A2', { DEC_SURNAME: '"SMITH' }), row('A3'), row('A4', { POD_CODE: '"ward' }), row('A5'), ''].join('\n');
    expect(summary(await read(chunked(text)))).toEqual([
      [2, 'ok', 'A1'],
      [3, 'DEC_SURNAME', expect.stringMatching(/quote that is not closed on its line/)],
      [4, 'ok', 'A3'],
      [5, 'POD_CODE', expect.stringMatching(/not closed/)],
      [6, 'ok', 'A5'],
    ]);
  });

  it('gives a quote inside a name exactly one reject, for its line, naming the column and not the name', async () => {
    const text = [
      header,
      row('B1'),
      row('B2', { DEC_SURNAME: 'O"BRIEN' }),
      row('B3'),
      row('B4', { DEC_SURNAME: '"O"BRIEN"' }),
      row('B5', { DEC_SURNAME: '"O""BRIEN"' }),
      '',
    ].join('\r\n');
    const rows = await read(chunked(text));
    expect(summary(rows)).toEqual([
      [2, 'ok', 'B1'],
      [3, 'DEC_SURNAME', expect.stringMatching(/quote inside an unquoted cell/)],
      [4, 'ok', 'B3'],
      [5, 'DEC_SURNAME', expect.stringMatching(/text after the closing quote/)],
      [6, 'ok', 'B5'],
    ]);
    expect(rows.find((r) => r.line === 6)).toMatchObject({ ok: true, record: { familyName: 'O"BRIEN' } });
    for (const r of rows) if (!r.ok) expect(JSON.stringify(r.error)).not.toMatch(/BRIEN/);
    // The record id is still given (it came before the bad cell), for the registry to find the row.
    expect(rows.find((r) => r.line === 3)).toMatchObject({ ok: false, error: { recordId: 'B2' } });
  });

  it('rejects a 1.5 MB row on its own and keeps its six valid neighbours', async () => {
    const big = row('C4', { DEC_FORENAMES: 'X'.repeat(1_500_000) });
    const text = [header, row('C1'), row('C2'), row('C3'), big, row('C5'), row('C6'), row('C7'), ''].join('\n');
    const rows = await read(Readable.from([Buffer.from(text)]));
    expect(summary(rows)).toEqual([
      [2, 'ok', 'C1'],
      [3, 'ok', 'C2'],
      [4, 'ok', 'C3'],
      [5, '(row)', `is longer than ${MAX_LINE_BYTES} bytes, the bound of a row`],
      [6, 'ok', 'C5'],
      [7, 'ok', 'C6'],
      [8, 'ok', 'C7'],
    ]);
  });

  it('keeps a row just within the bound and rejects one just past it', async () => {
    const pad = (id: string, bytes: number) => {
      const r = row(id);
      return r.replace('hospital', 'hospital'.padEnd(8 + bytes - Buffer.byteLength(r), 'h'));
    };
    const text = [header, pad('D1', MAX_LINE_BYTES), pad('D2', MAX_LINE_BYTES + 1), row('D3'), ''].join('\r\n');
    const rows = await read(chunked(text));
    expect(rows.map((r) => [r.line, r.ok || r.error.field])).toEqual([
      [2, true],
      [3, '(row)'],
      [4, true],
    ]);
  });

  it('rejects no row for an empty line, and counts it', async () => {
    const rows = await read(chunked(`\uFEFF${header}\n\n${row('E1')}\n\r\n${row('E2')}`));
    expect(rows.map((r) => [r.line, r.ok])).toEqual([
      [3, true],
      [5, true],
    ]);
  });

  it('rejects no row for a line of blanks (a padded last line), and counts it', async () => {
    const rows = await read(chunked(`${header}\n${row('E1')}\n   \t \n${row('E2')}\n  `));
    expect(rows.map((r) => [r.line, r.ok])).toEqual([
      [2, true],
      [4, true],
    ]);
  });
});

/**
 * A line of `mib` MiB of one byte, then valid rows, generated as it is read: the reader's
 * memory is sampled at every chunk, and its growth must stay far below the line's size.
 */
function hugeLine(mib: number, opening: string, closing: string): { input: Readable; peakGrowth: () => number } {
  const block = Buffer.alloc(1 << 20, 'A'.charCodeAt(0));
  const base = process.memoryUsage().rss;
  let peak = base;
  function* chunks(): Generator<Buffer> {
    yield Buffer.from(`${header}\n${row('F1')}\n${row('F2', {}).split(',').slice(0, 6).join(',')},${opening}`);
    for (let i = 0; i < mib; i++) {
      peak = Math.max(peak, process.memoryUsage().rss);
      yield block;
    }
    yield Buffer.from(`${closing},JOHN,SE1 7EH,20090630,20090706,I21.9,hospital,,\n${row('F3')}\n`);
  }
  return { input: Readable.from(chunks(), { objectMode: false }), peakGrowth: () => peak - base };
}

describe('readRegistry memory on a huge line', () => {
  it.each([
    ['a 200 MB single line', 200, '', ''],
    ['a 600 MB quoted field', 600, '"', '"'],
  ])(
    '%s is one reject, the rows after it are read, and memory stays flat',
    async (_what, mib, opening, closing) => {
      const { input, peakGrowth } = hugeLine(mib, opening, closing);
      const rows = await read(input);
      expect(summary(rows)).toEqual([
        [2, 'ok', 'F1'],
        [3, '(row)', `is longer than ${MAX_LINE_BYTES} bytes, the bound of a row`],
        [4, 'ok', 'F3'],
      ]);
      // Measured: about 0-10 MB; csv-parse before the line splitter held the whole line (and then some).
      expect(peakGrowth()).toBeLessThan(64 * 1024 * 1024);
    },
    60_000,
  );
});

describe('reject reasons and warnings never quote a value (item 9)', () => {
  // Each cell holds a surname: a reason that quoted its cell would carry it.
  const name = 'PEMBERTON';
  it.each([
    [{ NOTIFICATION_TYPE: name }, 'NOTIFICATION_TYPE'],
    [{ CANCELLED_FLAG: name }, 'CANCELLED_FLAG'],
    [{ RECORD_VERSION: name }, 'RECORD_VERSION'],
    [{ NOTIFICATION_TYPE: 'E', EVENT_DATE: '20100101', CANCELLED_FLAG: 'Y' }, 'CANCELLED_FLAG'],
    [{ REG_DATE_OF_DEATH: name }, 'REG_DATE_OF_DEATH'],
    [{ DEC_SURNAME: `${name}"X` }, 'DEC_SURNAME'],
    [{ DEC_SURNAME: `"${name}` }, 'DEC_SURNAME'],
    [{ DEC_SURNAME: `"${name}"X` }, 'DEC_SURNAME'],
  ])('%j: the reject names %s and the rule, not the value', async (over, field) => {
    const [r] = await read(chunked(`${header}\n${row('G1', { ...over, DEC_FORENAMES: name, DEC_POSTCODE: name })}\n`));
    expect(r).toMatchObject({ ok: false, error: { field } });
    expect(JSON.stringify(r.ok ? null : r.error)).not.toContain(name);
  });
  it('names no value in a warning either', async () => {
    const [r] = await read(chunked(`${header}\n${row('G2', { DEC_CONF_NHS_NUMBER: '9434765918', DEC_SEX: 'PEMBERTON', REG_DATE: '20090601' })}\n`));
    expect(r.ok && r.warnings.length).toBe(3);
    expect(JSON.stringify(r.warnings)).not.toMatch(/PEMBERTON|9434765918|20090601/);
  });
});

describe('the rejects and warnings reports and CSV injection (item 10)', () => {
  it.each([
    ['rejects', RejectsWriter],
    ['warnings', WarningsWriter],
  ] as const)('the %s report escapes a formula cell (an extra column named =...)', async (_what, Writer) => {
    // A stray quote under an extra column: the reject names that column, as the file spells it.
    const text = `${header},=hyperlink(1)\n${row('H1')},"a\n`;
    const [r] = await read(chunked(text));
    expect(r).toMatchObject({ ok: false, error: { field: '=HYPERLINK(1)' } });
    let out = '';
    const w = new Writer(
      new Writable({
        write(chunk, _e, cb) {
          out += String(chunk);
          cb();
        },
      }),
    );
    await w.write(r.ok ? { line: 0, field: '', reason: '' } : r.error);
    await w.write({ line: 3, field: '-1', reason: '@reason' });
    await w.close();
    expect(out).toBe(`line,field,reason\n2,"'=HYPERLINK(1)",${cellReason}\n3,-1,"'@reason"\n`);
  });
});

const cellReason = 'has a quote that is not closed on its line (a quoted cell cannot span lines)';
