import type { CastingContext } from 'csv-stringify';

/**
 * The characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection"):
 * `=`, `+`, `-`, `@`, tab and carriage return at the start.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A plain decimal number, such as `-12` or `-0.5`: a spreadsheet reads it as a number, never a formula. */
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

/**
 * A text cell as every CSV the project writes holds it: one that a spreadsheet would run as a
 * formula is prefixed with a single quote (and, by `csvCast`, quoted), as OWASP's guidance
 * says, so that `=cmd|' /C calc'!A0` shows as text. The rule, shared by every writer:
 * - numbers (JavaScript numbers: ADTTE's AVAL, CNSR, a report's line) are never touched, so
 *   R, SAS and pandas read a negative value as the number it is;
 * - a text cell that is exactly a decimal number (`-3`) is left alone too, for the same reason;
 * - any other text cell starting with = + - @ TAB or CR gets the quote.
 */
export function spreadsheetSafe(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/**
 * The `cast` option of csv-stringify that applies spreadsheetSafe to every string cell and
 * quotes the escaped ones. Pass it to every `stringify` that writes a file or a response.
 */
export const csvCast = {
  string: (value: string, _context: CastingContext): string | { value: string; quoted: boolean } => {
    const safe = spreadsheetSafe(value);
    return safe === value ? value : { value: safe, quoted: true };
  },
};
