import { stringify } from 'csv-stringify/sync';
import { csvCast } from '@trial/contracts';
import { sasDate, writeXpt, type XptValue } from './xpt';

/**
 * An ADaM data set as the package writes it twice: CSV (ISO 8601 dates, text cells escaped
 * against formula injection) and SAS transport v5 (dates as SAS day numbers with DATE9., every
 * variable labelled). One definition of the variables serves both, so they cannot disagree.
 */
export type AdamType = 'char' | 'num' | 'date';
export interface AdamVariable {
  name: string;
  /** At most 40 characters: SAS version 5's label. */
  label: string;
  type: AdamType;
}
/** A cell: text, a number, a civil date `YYYY-MM-DD` for a date variable, or null (missing). */
export type AdamCell = string | number | null;
export interface AdamTable {
  name: string;
  label: string;
  variables: readonly AdamVariable[];
  rows: ReadonlyArray<Readonly<Record<string, AdamCell>>>;
}

/** The CSV: a header of variable names, then one line a row; missing is an empty cell. */
export function tableCsv(t: AdamTable): string {
  const names = t.variables.map((v) => v.name);
  const rows = t.rows.map((r) => names.map((n) => r[n] ?? ''));
  return stringify(rows, { header: true, columns: names, cast: csvCast });
}

/** The XPT v5 file, stamped `created`. */
export function tableXpt(t: AdamTable, created: Date): Uint8Array {
  const variables = t.variables.map((v) => ({
    name: v.name,
    label: v.label,
    type: v.type === 'char' ? ('char' as const) : ('num' as const),
    ...(v.type === 'date' ? { format: 'DATE9' as const } : {}),
  }));
  const rows = t.rows.map((r) =>
    t.variables.map((v): XptValue => {
      const x = r[v.name] ?? null;
      if (x === null) return null;
      if (v.type === 'date') return sasDate(String(x));
      if (v.type === 'num') return typeof x === 'number' ? x : Number(x);
      return String(x);
    }),
  );
  return writeXpt({ name: t.name, label: t.label, variables, rows }, created);
}
