/**
 * Credentials never reach a log line (issue 12, item 1). Two layers, because a bearer token
 * can hide in places no list of redact paths foresees (a header spelt `Authorization`, a URL
 * inside an error message, an object nested five deep):
 * - structure: the request serializer drops credential headers and query parameters, and
 *   rewrites the URL, whatever their case;
 * - text: every finished line is scrubbed of anything shaped like a credential (a `Bearer`
 *   value, a JWT, a credential query parameter) before it is written.
 */

/** Query parameters that carry a credential: OAuth's, the dashboard's one-off sign-in link, the SSE stream ticket. */
export const CREDENTIAL_PARAMS = ['access_token', 'token', 'ticket', 'id_token', 'refresh_token'];
/** Headers that carry a credential (compared lower-cased). */
export const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key'];

export const CENSOR = '[credential]';

const PARAM = new RegExp(`([?&;](?:${CREDENTIAL_PARAMS.join('|')})=)[^&;#\\s"\\\\]*`, 'gi');
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/gi;
// A JWT's header always starts `{"` so its base64url starts `eyJ`.
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

/** The text with every credential-shaped substring censored. */
export function scrubCredentials(text: string): string {
  return text.replace(PARAM, `$1${CENSOR}`).replace(BEARER, `$1 ${CENSOR}`).replace(JWT, CENSOR);
}

/** A request path with the values of credential query parameters censored (the names stay: they say what was tried). */
export function safeUrl(url: string): string {
  return url.replace(PARAM, `$1${CENSOR}`);
}

function isCredentialParam(key: string): boolean {
  return CREDENTIAL_PARAMS.includes(key.toLowerCase());
}

/** pino-http's serialized request, its URL, query and headers stripped of credentials. */
export function safeRequest(req: unknown): unknown {
  if (typeof req !== 'object' || req === null) return req;
  const r = req as { url?: unknown; query?: unknown; headers?: unknown };
  const out: Record<string, unknown> = { ...(req as Record<string, unknown>) };
  if (typeof r.url === 'string') out.url = safeUrl(r.url);
  if (typeof r.query === 'object' && r.query !== null) {
    out.query = Object.fromEntries(Object.entries(r.query).map(([k, v]) => [k, isCredentialParam(k) ? CENSOR : v]));
  }
  if (typeof r.headers === 'object' && r.headers !== null) {
    out.headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, CREDENTIAL_HEADERS.includes(k.toLowerCase()) ? CENSOR : v]));
  }
  return out;
}

/** A pino destination that scrubs each finished line, then hands it to `dest`. */
export function scrubbingDestination(dest: { write(line: string): unknown }): { write(line: string): void } {
  return { write: (line: string) => { dest.write(scrubCredentials(line)); } };
}
