import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { join } from 'node:path';
import { ibmDouble, sasDate, sasStamp, writeXpt, type XptDataset } from './xpt';

// reference/reference.xpt is R's: haven 2.5.1 write_xpt(version = 5), from
// reference/xpt-reference.R (its four time stamps set to 01JAN26:00:00:00 there).
const reference = readFileSync(join(__dirname, 'reference', 'reference.xpt'));
const stamp = new Date('2026-01-01T00:00:00Z');

const dataset: XptDataset = {
  name: 'ADTTE',
  label: 'Time-to-Event Analysis Dataset',
  variables: [
    { name: 'STUDYID', label: 'Study Identifier', type: 'char' },
    { name: 'USUBJID', label: 'Unique Subject Identifier', type: 'char' },
    { name: 'AVAL', label: 'Analysis Value', type: 'num' },
    { name: 'FRAC', label: 'Forty characters of label, no more: 1234', type: 'num' },
    { name: 'ADT', label: 'Analysis Date', type: 'num', format: 'DATE9' },
    { name: 'CNSR', label: 'Censor', type: 'num' },
    { name: 'EVNTDESC', label: 'Event or Censoring Description', type: 'char' },
    { name: 'EMPTY', label: '', type: 'char' },
  ],
  rows: [
    ['BCIS-1', 'BCIS-1-P1', 1566, 1 / 3, sasDate('2009-06-30'), 0, 'DEATH', ''],
    ['BCIS-1', 'BCIS-1-P2', 0, -1.5, null, 1, '', ''],
    ['BCIS-1', 'BCIS-1-P10', null, 123456789.125, sasDate('1960-01-01'), 2, 'ALIVE AT DATA CUTOFF', ''],
    ['BCIS-1', 'BCIS-1-P100', 0.5, 1e-5, sasDate('1959-12-31'), 5, 'DEATH FROM OTHER CAUSE', null],
  ],
};

describe('writeXpt (SAS transport v5)', () => {
  it('writes the same bytes as haven::write_xpt(version = 5)', () => {
    const ours = Buffer.from(writeXpt(dataset, stamp));
    expect(ours.length).toBe(reference.length);
    // The first differing offset, if any, says which record is wrong.
    const firstDiff = ours.findIndex((b, i) => b !== reference[i]);
    expect(firstDiff).toBe(-1);
  });

  it("converts doubles to IBM floating point exactly (TS-140 examples and haven's bytes)", () => {
    const hex = (v: number): string => Buffer.from(ibmDouble(v)).toString('hex');
    expect(hex(1)).toBe('4110000000000000');
    expect(hex(-1)).toBe('c110000000000000');
    expect(hex(0.5)).toBe('4080000000000000');
    expect(hex(12)).toBe('41c0000000000000');
    expect(hex(1 / 3)).toBe('4055555555555554');
    expect(hex(0)).toBe('0000000000000000');
    expect(() => ibmDouble(Number.POSITIVE_INFINITY)).toThrow(/finite/);
    expect(() => ibmDouble(1e80)).toThrow(/range/);
  });

  it("counts SAS dates from 1960-01-01 and stamps in SAS's form", () => {
    expect(sasDate('1960-01-01')).toBe(0);
    expect(sasDate('2009-06-30')).toBe(18078);
    expect(sasDate('1959-12-31')).toBe(-1);
    expect(sasStamp(new Date('2011-10-02T09:05:07Z'))).toBe('02OCT11:09:05:07');
  });

  it('refuses what version 5 cannot hold', () => {
    const one = (over: Partial<XptDataset>): XptDataset => ({ ...dataset, ...over });
    expect(() => writeXpt(one({ name: 'TOOLONGNAME' }), stamp)).toThrow(/8 characters/);
    expect(() => writeXpt(one({ variables: [{ name: 'A', label: 'x'.repeat(41), type: 'num' }], rows: [] }), stamp)).toThrow(/40 bytes/);
    expect(() => writeXpt(one({ variables: [{ name: 'A', label: '', type: 'char' }], rows: [['x'.repeat(201)]] }), stamp)).toThrow(/200/);
  });

  it('round-trips every double in IBM range exactly (decoded as TS-140 defines the format)', () => {
    // (-1)^s * 0.f * 16^(e - 64), the 56-bit fraction read in two parts to stay exact.
    const decode = (b: Uint8Array): number => {
      const hi = ((b[1] << 16) | (b[2] << 8) | b[3]) * 2 ** 32;
      const lo = ((b[4] << 24) >>> 0) + ((b[5] << 16) | (b[6] << 8) | b[7]);
      return (b[0] & 0x80 ? -1 : 1) * ((hi + lo) / 2 ** 56) * 16 ** ((b[0] & 0x7f) - 64);
    };
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e70, max: 1e70 }), (x) => {
        fc.pre(x === 0 || Math.abs(x) > 1e-70);
        const b = ibmDouble(x);
        expect(decode(b)).toBe(x === 0 ? 0 : x);
        if (x !== 0) expect(b[1] >> 4).toBeGreaterThan(0); // normalised: the first hex digit is not 0
      }),
      { numRuns: 2000 },
    );
  });
});
