// Identifier checks of feeds.md ("Identifier checks"). Pure functions: no I/O, no clock.

/** Why an identifier failed its check. `format`: not 10 digits; the rest name the failing rule. */
export type IdentifierProblem = 'format' | 'check-digit' | 'date-prefix' | 'sex-digit' | 'dob-mismatch';

export type IdentifierCheck =
  { ok: true; value: string; scheme: 'modulus-11' | 'modulus-10' } | { ok: false; problem: IdentifierProblem; reason: string };

/** Strips the spaces and hyphens people type into identifiers ("943 476 5919"). */
export function normaliseIdentifier(raw: string): string {
  return raw.replace(/[\s-]/g, '');
}

/** Sum of digits 1-9 weighted 10..2 (the weighting both NHS Modulus 11 and CHI use). */
function weightedSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (digits.charCodeAt(i) - 48) * (10 - i);
  return sum;
}

/**
 * Modulus 11 check digit: 11 - (sum mod 11); 11 means 0; 10 means no valid number has these
 * first nine digits (returns null).
 */
export function modulus11CheckDigit(first9: string): number | null {
  const c = 11 - (weightedSum(first9) % 11);
  if (c === 11) return 0;
  if (c === 10) return null;
  return c;
}

/**
 * Modulus 10 check digit for CHI numbers issued from 2026 (issued once the Modulus 11 numbers
 * of a birth date run out). Assumption, as feeds.md gives no formula: the same 10..2 weights,
 * check = (10 - sum mod 10) mod 10, so that the weighted sum plus the check is 0 mod 10.
 */
export function modulus10CheckDigit(first9: string): number {
  return (10 - (weightedSum(first9) % 10)) % 10;
}

const TEN_DIGITS = /^\d{10}$/;

/** NHS number: 10 digits whose tenth is the Modulus 11 check digit of the first nine. */
export function checkNhsNumber(raw: string): IdentifierCheck {
  const value = normaliseIdentifier(raw);
  if (!TEN_DIGITS.test(value)) return { ok: false, problem: 'format', reason: 'is not 10 digits' };
  const check = modulus11CheckDigit(value);
  if (check === null) return { ok: false, problem: 'check-digit', reason: 'has no valid Modulus 11 check digit (remainder gives 10)' };
  if (check !== value.charCodeAt(9) - 48) return { ok: false, problem: 'check-digit', reason: 'fails the Modulus 11 check' };
  return { ok: true, value, scheme: 'modulus-11' };
}

export function isValidNhsNumber(raw: string | null | undefined): boolean {
  return raw != null && checkNhsNumber(raw).ok;
}

/** Is DDMMYY a real date in some century (1900s or 2000s: 29 Feb 00 is real as 2000)? */
export function isRealDdmmyy(ddmmyy: string): boolean {
  const d = Number(ddmmyy.slice(0, 2));
  const m = Number(ddmmyy.slice(2, 4));
  const yy = Number(ddmmyy.slice(4, 6));
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= daysInMonth(1900 + yy, m) || d <= daysInMonth(2000 + yy, m);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export interface ChiContext {
  /** The holder's date of birth `YYYY-MM-DD`, when known: the number must start with it as DDMMYY. */
  dateOfBirth?: string | null;
  /** The holder's sex, when known: the ninth digit is odd for M and even for F (U is not checked). */
  sex?: 'M' | 'F' | 'U' | null;
  /** Accept Modulus 10 check digits (numbers issued from 2026). Default true: a number does not say when it was issued. */
  allowModulus10?: boolean;
}

/**
 * CHI number (Scotland): 10 digits, first six a real DDMMYY date of birth, ninth digit odd for
 * male and even for female, tenth a Modulus 11 check digit or, for numbers issued from 2026, a
 * Modulus 10 one. Date of birth and sex are checked against the holder's when given.
 */
export function checkChiNumber(raw: string, ctx: ChiContext = {}): IdentifierCheck {
  const value = normaliseIdentifier(raw);
  if (!TEN_DIGITS.test(value)) return { ok: false, problem: 'format', reason: 'is not 10 digits' };
  if (!isRealDdmmyy(value.slice(0, 6))) {
    return { ok: false, problem: 'date-prefix', reason: 'does not start with a real DDMMYY date of birth' };
  }
  const last = value.charCodeAt(9) - 48;
  const scheme =
    modulus11CheckDigit(value) === last ? 'modulus-11' : ctx.allowModulus10 !== false && modulus10CheckDigit(value) === last ? 'modulus-10' : null;
  if (scheme === null) {
    return {
      ok: false,
      problem: 'check-digit',
      reason: ctx.allowModulus10 === false ? 'fails the Modulus 11 check' : 'fails both the Modulus 11 and the Modulus 10 check',
    };
  }
  const sexDigit = value.charCodeAt(8) - 48;
  if (ctx.sex === 'M' && sexDigit % 2 === 0) return { ok: false, problem: 'sex-digit', reason: 'has an even ninth digit (female) but the sex is M' };
  if (ctx.sex === 'F' && sexDigit % 2 === 1) return { ok: false, problem: 'sex-digit', reason: 'has an odd ninth digit (male) but the sex is F' };
  if (ctx.dateOfBirth && /^\d{4}-\d{2}-\d{2}$/.test(ctx.dateOfBirth)) {
    const [y, m, d] = ctx.dateOfBirth.split('-');
    if (value.slice(0, 6) !== `${d}${m}${y.slice(2)}`) {
      return { ok: false, problem: 'dob-mismatch', reason: 'does not start with the date of birth (DDMMYY)' };
    }
  }
  return { ok: true, value, scheme };
}

/** Structural CHI validity (date prefix and check digit), without a holder to compare with. */
export function isValidChiNumber(raw: string | null | undefined): boolean {
  return raw != null && checkChiNumber(raw).ok;
}
