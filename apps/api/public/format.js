// Number formats shared by every view, so a figure reads the same wherever it appears.
// The browser test formats the API's numbers with these same rules (hazard ratio: 2 dp).

/** Average Gregorian month (libs/readmodel's DAYS_PER_MONTH): the x axis is in these months. */
export const DAYS_PER_MONTH = 365.25 / 12;
export const DAYS_PER_YEAR = 365.25;
export const DASH = '—';

export const toMonths = (days) => days / DAYS_PER_MONTH;

export function fixed(x, digits) {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : DASH;
}

/** Hazard ratio and its limits: two decimals, as in trial reports. */
export const formatHr = (x) => fixed(x, 2);

export function formatCi(lower, upper, digits = 2) {
  return `${fixed(lower, digits)} to ${fixed(upper, digits)}`;
}

/** P values: three decimals, and "< 0.001" below that (a DSMB reads 0.000 as a typo). */
export function formatP(p) {
  if (typeof p !== 'number' || !Number.isFinite(p)) return DASH;
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

export function formatMonths(days, digits = 1) {
  return typeof days === 'number' && Number.isFinite(days) ? toMonths(days).toFixed(digits) : DASH;
}

export function formatPct(s, digits = 1) {
  return typeof s === 'number' && Number.isFinite(s) ? `${(100 * s).toFixed(digits)}%` : DASH;
}

export function formatInt(n) {
  return typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString('en-GB') : DASH;
}

/** Civil dates and instants as "12 Mar 2011" (and time, for instants), in the reader's zone. */
export function formatDate(iso) {
  if (!iso) return DASH;
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: iso.length === 10 ? 'UTC' : undefined });
}

export function formatInstant(iso) {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
