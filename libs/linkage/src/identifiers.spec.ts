import { checkChiNumber, checkNhsNumber, isRealDdmmyy, modulus10CheckDigit, modulus11CheckDigit } from './identifiers';

describe('NHS number (Modulus 11, feeds.md)', () => {
  it('accepts the contract example 9434765919 and a spaced form', () => {
    expect(checkNhsNumber('9434765919')).toEqual({ ok: true, value: '9434765919', scheme: 'modulus-11' });
    expect(checkNhsNumber('943 476 5919').ok).toBe(true);
  });
  it('computes the check as 11 - (sum mod 11) with weights 10..2', () => {
    // 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299; 299 mod 11 = 2; 11 - 2 = 9
    expect(modulus11CheckDigit('943476591')).toBe(9);
  });
  it('maps a check of 11 to 0', () => {
    // sum mod 11 = 0 → 11 → 0: 000000000 has sum 0
    expect(modulus11CheckDigit('000000000')).toBe(0);
    expect(checkNhsNumber('0000000000').ok).toBe(true);
  });
  it('treats a check of 10 as invalid whatever the tenth digit', () => {
    // 000000001: sum 2 → 11 - 2 = 9; 000000010: sum 3 → 8; find one giving 10: sum mod 11 = 1 → 100000000?
    // 1*10=10 → 10 mod 11 = 10 → 1. Use 000000060: 6*3=18 → 7 → 4.
    // 400000000 → 40 mod 11 = 7 → 4; 600000000 → 60 mod 11 = 5 → 6; 000000600 → 6*4=24 → 2 → 9; 000000050 → 15 → 4 → 7;
    // 100000001 → 10 + 2 = 12 → 1 → 10: invalid
    expect(modulus11CheckDigit('100000001')).toBeNull();
    for (let d = 0; d <= 9; d++) expect(checkNhsNumber(`100000001${d}`)).toMatchObject({ ok: false, problem: 'check-digit' });
  });
  it('rejects a wrong check digit, a single-digit typo and a transposition', () => {
    expect(checkNhsNumber('9434765918')).toMatchObject({ ok: false, problem: 'check-digit' });
    expect(checkNhsNumber('9434765819')).toMatchObject({ ok: false });
    expect(checkNhsNumber('4934765919')).toMatchObject({ ok: false });
  });
  it('rejects anything but 10 digits', () => {
    for (const bad of ['', '943476591', '94347659190', '94347A5919']) expect(checkNhsNumber(bad)).toMatchObject({ ok: false, problem: 'format' });
  });
});

describe('CHI number (feeds.md)', () => {
  // 030241 (3 Feb 1941) + 12 + 3 (odd: male) → check by Modulus 11
  const first9 = '030241123';
  const m11 = modulus11CheckDigit(first9);
  const chi = `${first9}${m11}`;
  it('accepts a Modulus 11 number with a real DDMMYY prefix', () => {
    expect(m11).not.toBeNull();
    expect(checkChiNumber(chi)).toEqual({ ok: true, value: chi, scheme: 'modulus-11' });
  });
  it('accepts a Modulus 10 number (issued from 2026) unless told not to', () => {
    const m10 = modulus10CheckDigit(first9);
    expect(m10).not.toBe(m11);
    const n = `${first9}${m10}`;
    expect(checkChiNumber(n)).toMatchObject({ ok: true, scheme: 'modulus-10' });
    expect(checkChiNumber(n, { allowModulus10: false })).toMatchObject({ ok: false, problem: 'check-digit' });
  });
  it('rejects a number failing both checks', () => {
    const used = new Set([m11, modulus10CheckDigit(first9)]);
    const bad = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].find((d) => !used.has(d));
    expect(checkChiNumber(`${first9}${bad}`)).toMatchObject({ ok: false, problem: 'check-digit' });
  });
  it('rejects a prefix that is not a real date', () => {
    const p = '310241123';
    const c = modulus11CheckDigit(p) ?? modulus10CheckDigit(p);
    expect(checkChiNumber(`${p}${c}`)).toMatchObject({ ok: false, problem: 'date-prefix' });
    expect(isRealDdmmyy('290200')).toBe(true); // 2000 was a leap year
    expect(isRealDdmmyy('290201')).toBe(false);
    expect(isRealDdmmyy('001341')).toBe(false);
  });
  it('checks the sex digit: odd for male, even for female', () => {
    expect(checkChiNumber(chi, { sex: 'M' }).ok).toBe(true);
    expect(checkChiNumber(chi, { sex: 'F' })).toMatchObject({ ok: false, problem: 'sex-digit' });
    expect(checkChiNumber(chi, { sex: 'U' }).ok).toBe(true);
  });
  it('checks the prefix against the date of birth when given', () => {
    expect(checkChiNumber(chi, { dateOfBirth: '1941-02-03' }).ok).toBe(true);
    expect(checkChiNumber(chi, { dateOfBirth: '1941-03-02' })).toMatchObject({ ok: false, problem: 'dob-mismatch' });
  });
  it('rejects anything but 10 digits', () => {
    expect(checkChiNumber('03024112')).toMatchObject({ ok: false, problem: 'format' });
  });
});
