// What of a read's query an audit row may keep: the redaction every recorded row goes through.

/**
 * What an audit row may keep of the query, by field: the longest value kept. An audit row is
 * kept for good and served by GET /audit, so nothing a caller adds to a URL reaches it (a
 * credential, an identifier, a nested object): only the read-out's own parameters (see
 * parseReadoutQuery in @trial/readmodel), what a stream push records, and a completeness
 * correction's fields. Anything else, a value that is not a short string or a finite number,
 * or a string that holds a token, is left out.
 */
const AUDITED_FIELDS: ReadonlyMap<string, number> = new Map([
  // The read-out's query string: times, RMST tau, CI type, ties, replay instant, cutoff date.
  ['at', 200],
  ['tau', 32],
  ['confType', 16],
  ['ties', 16],
  ['asOf', 40],
  ['dataCutoff', 16],
  // A stream push: which read-out was sent.
  ['eventsApplied', 20],
  // A look: its number.
  ['look', 8],
  // A review item viewed: which one.
  ['reviewId', 64],
  // The review queue listed: which status and how many items were shown.
  ['status', 16],
  ['shown', 8],
  // A completeness correction (the notification's schema bounds its reason at 500).
  ['correctionId', 100],
  ['source', 16],
  ['completeUpTo', 16],
  ['reason', 500],
  ['requestedAt', 40],
]);
// A JWT's base64url header always starts `eyJ` (`{"`).
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\./;

function keep(key: string, value: unknown): boolean {
  const max = AUDITED_FIELDS.get(key);
  if (max === undefined) return false;
  if (typeof value === 'number') return Number.isFinite(value) && String(value).length <= max;
  return typeof value === 'string' && value.length <= max && !JWT.test(value);
}

/** The query as audited: only the known fields, with short values, none holding a token. */
export function auditableQuery(query: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(query).filter(([k, v]) => keep(k, v)));
}
