import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';
import { csvCast, spreadsheetSafe } from './csv-cells';

describe('spreadsheetSafe (OWASP CSV injection)', () => {
  it.each(["=cmd|' /C calc'!A0", '+1+1', '-2+3', '@SUM(A1:A9)', '\t=1', '\rx', '=', '-', '-SMITH'])('escapes %j with a leading single quote', (v) => {
    expect(spreadsheetSafe(v)).toBe(`'${v}`);
  });
  it.each(['SMITH', '-3', '-0.5', '+7', '12', '', ' =x', 'a=b', "'=already"])('leaves %j as it is', (v) => {
    expect(spreadsheetSafe(v)).toBe(v);
  });
});

describe('csvCast', () => {
  it('quotes and escapes formula text cells, and never touches numbers', () => {
    const csv = stringify([{ a: '=HYPERLINK("http://x","y")', b: -12, c: '-12', d: '@x', e: 3.5 }], { header: true, cast: csvCast });
    expect(csv).toBe('a,b,c,d,e\n"\'=HYPERLINK(""http://x"",""y"")",-12,-12,"\'@x",3.5\n');
    // Read back, the escaped cells are text that starts with a quote; the numbers are numbers.
    expect(parse(csv, { columns: true, cast: true })).toEqual([{ a: '\'=HYPERLINK("http://x","y")', b: -12, c: -12, d: "'@x", e: 3.5 }]);
  });
});
