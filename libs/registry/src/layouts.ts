/** The two extract layouts of feeds.md ("Files for `followup ingest`"). */
export type Layout = 'ons' | 'nrs';

export const onsColumns = [
  'RECORD_ID',
  'RECORD_VERSION',
  'NOTIFICATION_TYPE',
  'DEC_CONF_NHS_NUMBER',
  'DEC_DATE_OF_BIRTH',
  'DEC_SEX',
  'DEC_SURNAME',
  'DEC_FORENAMES',
  'DEC_POSTCODE',
  'REG_DATE_OF_DEATH',
  'REG_DATE',
  'S_UNDERLYING_COD_ICD10',
  'POD_CODE',
  'EVENT_DATE',
  'CANCELLED_FLAG',
] as const;

export const nrsColumns = [
  'ENTRY_ID',
  'VERSION',
  'TYPE',
  'CHI',
  'DATE_OF_BIRTH',
  'SEX',
  'SURNAME',
  'FORENAMES',
  'POSTCODE',
  'DATE_OF_DEATH',
  'DATE_OF_REGISTRATION',
  'UNDERLYING_CAUSE',
  'EVENT_DATE',
  'CANCELLED',
] as const;

export const layoutColumns: Record<Layout, readonly string[]> = { ons: onsColumns, nrs: nrsColumns };

export const layoutSource = { ons: 'ONS', nrs: 'NRS' } as const;

const norm = (h: string): string =>
  h
    .trim()
    .replace(/^\uFEFF/, '')
    .toUpperCase();

/**
 * The layout whose columns the header holds (order free, extra columns ignored); null if
 * neither, 'both' if it holds every column of each (the caller must be told which).
 */
export function guessLayout(header: readonly string[]): Layout | 'both' | null {
  const set = new Set(header.map(norm));
  const ons = onsColumns.every((c) => set.has(c));
  const nrs = nrsColumns.every((c) => set.has(c));
  if (ons && nrs) return 'both';
  if (ons) return 'ons';
  if (nrs) return 'nrs';
  return null;
}

/** Columns of `layout` the header names more than once: which of them a row's value is would be a guess. */
export function repeatedColumns(header: readonly string[], layout: Layout): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const h of header.map(norm)) {
    if (seen.has(h)) repeated.add(h);
    seen.add(h);
  }
  return layoutColumns[layout].filter((c) => repeated.has(c));
}

/** Columns of `layout` missing from a header. */
export function missingColumns(header: readonly string[], layout: Layout): string[] {
  const set = new Set(header.map(norm));
  return layoutColumns[layout].filter((c) => !set.has(c));
}

export function normaliseHeader(header: readonly string[]): string[] {
  return header.map(norm);
}
