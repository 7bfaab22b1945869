/**
 * Credentials never reach a log line. Two layers, because a bearer token
 * can hide in places no list of redact paths foresees (a header spelt `Authorization`, a URL
 * inside an error message, an object nested five deep, a parameter name or a token's dots
 * percent-encoded):
 * - structure: the request serializer drops credential headers, and the whole query string
 *   of a request that carries a credential in it, whatever their case or encoding;
 * - text: every finished line is scrubbed of anything shaped like a credential (a `Bearer`
 *   value, a JWT, a credential query parameter), as written and as percent-decoded, before
 *   it is written.
 */

/** Query parameters that carry a credential: OAuth's, the dashboard's old sign-in link, the SSE stream ticket. */
export const CREDENTIAL_PARAMS = ['access_token', 'token', 'ticket', 'id_token', 'refresh_token', 'authorization'];
/** Headers that carry a credential (compared lower-cased). */
export const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key'];

export const CENSOR = '[credential]';

// `token=`, and a nested `a[token]=` or `a.token=` as a query parser reads it.
const PARAM = new RegExp(`([?&;](?:[A-Za-z0-9_.[\\]]*[[.])?(?:${CREDENTIAL_PARAMS.join('|')})\\]?=)[^&;#\\s"\\\\]*`, 'gi');
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/gi;
// A JWT's header always starts `{"` so its base64url starts `eyJ`.
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const HAS_JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\./;
const HAS_BEARER = /\bBearer\s+\S/i;
const ESCAPE = /%([0-9A-Fa-f]{2})/g;

/** The text with every credential-shaped substring censored. */
export function scrubCredentials(text: string): string {
  return text.replace(PARAM, `$1${CENSOR}`).replace(BEARER, `$1 ${CENSOR}`).replace(JWT, CENSOR);
}

/**
 * `text` with its %XX escapes of printable ASCII decoded, repeatedly (a doubly encoded
 * `%255F` too), but never `"` or `\`: inside a JSON line the result is still JSON. What a
 * credential is made of (letters, digits, `._-=?&;` and space) is all printable ASCII.
 */
export function percentDecoded(text: string): string {
  let out = text;
  for (let round = 0; round < 3; round++) {
    const next = out.replace(ESCAPE, (escape, hex: string) => {
      const code = parseInt(hex, 16);
      return code >= 0x20 && code < 0x7f && code !== 0x22 && code !== 0x5c ? String.fromCharCode(code) : escape;
    });
    if (next === out) break;
    out = next;
  }
  return out;
}

/**
 * A finished log line, scrubbed. When percent-decoding changes it and the decoded copy holds
 * a credential (`?access%5Ftoken=`, a JWT with `%2E` for its dots), the decoded copy is
 * written, scrubbed: the encoded one would carry the credential past every pattern.
 */
export function scrubLine(line: string): string {
  const decoded = percentDecoded(line);
  if (decoded !== line) {
    const scrubbed = scrubCredentials(decoded);
    if (scrubbed !== decoded) return scrubbed;
  }
  return scrubCredentials(line);
}

/** A request path with the values of credential query parameters censored (the names stay: they say what was tried). */
export function safeUrl(url: string): string {
  return url.replace(PARAM, `$1${CENSOR}`);
}

/** A query key names a credential: `access_token`, or `a[token]`, `a.ticket`, in any case, once decoded. */
function isCredentialKey(key: string): boolean {
  return percentDecoded(key)
    .toLowerCase()
    .split(/[[\].]/)
    .some((part) => CREDENTIAL_PARAMS.includes(part));
}

function holdsToken(value: string): boolean {
  const v = percentDecoded(value);
  return HAS_JWT.test(v) || HAS_BEARER.test(v);
}

/**
 * An OAuth authorisation response (`?code=...&state=...`, RFC 6749 4.1.2) returned in the query
 * by a provider that ignored the dashboard's response_mode=fragment. `code` alone is not a
 * credential (the dead-letter list filters by reason code), so it takes both.
 */
const isAuthorisationResponse = (keys: string[]): boolean => keys.includes('code') && keys.includes('state');

/** Whether a parsed query (Express's, or URLSearchParams') holds a credential at any depth. */
function queryHasCredential(query: unknown, depth = 0): boolean {
  if (typeof query === 'string') return holdsToken(query);
  if (typeof query !== 'object' || query === null || depth > 5) return false;
  if (depth === 0 && isAuthorisationResponse(Object.keys(query))) return true;
  return Object.entries(query).some(([k, v]) => isCredentialKey(k) || queryHasCredential(v, depth + 1));
}

function urlHasCredential(url: string): boolean {
  const i = url.indexOf('?');
  if (i < 0) return false;
  // URLSearchParams decodes each name and value once, as the server's query parser does.
  const params = new URLSearchParams(url.slice(i + 1).split('#')[0]);
  for (const [k, v] of params) if (isCredentialKey(k) || holdsToken(v)) return true;
  return isAuthorisationResponse([...params.keys()]);
}

/**
 * pino-http's serialized request, its URL, query and headers stripped of credentials. A query
 * string holding a credential is replaced whole by `?[credential]`: censoring one parameter
 * by its spelling misses the spellings a parser still accepts.
 */
export function safeRequest(req: unknown): unknown {
  if (typeof req !== 'object' || req === null) return req;
  const r = req as { url?: unknown; query?: unknown; headers?: unknown };
  const out: Record<string, unknown> = { ...(req as Record<string, unknown>) };
  const credentialInQuery = (typeof r.url === 'string' && urlHasCredential(r.url)) || queryHasCredential(r.query);
  if (typeof r.url === 'string') {
    const i = r.url.indexOf('?');
    out.url = credentialInQuery && i >= 0 ? `${r.url.slice(0, i)}?${CENSOR}` : safeUrl(r.url);
  }
  if (typeof r.query === 'object' && r.query !== null) out.query = credentialInQuery ? CENSOR : r.query;
  if (typeof r.headers === 'object' && r.headers !== null) {
    out.headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, CREDENTIAL_HEADERS.includes(k.toLowerCase()) ? CENSOR : v]));
  }
  return out;
}

/** A pino destination that scrubs each finished line, then hands it to `dest`. */
export function scrubbingDestination(dest: { write(line: string): unknown }): { write(line: string): void } {
  return {
    write: (line: string) => {
      dest.write(scrubLine(line));
    },
  };
}
