// The guarded API, called with the signed-in user's bearer token. The server enforces roles;
// this module only carries the token and turns failures into messages a person can act on.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function createApi(token, onResponse) {
  async function get(path, params) {
    const url = new URL(path, location.origin);
    for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
    const res = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' }, cache: 'no-store' });
    onResponse?.(res.status, url.pathname);
    if (!res.ok) {
      let message = res.statusText;
      try {
        const body = await res.json();
        if (body && typeof body.message === 'string') message = body.message;
      } catch {
        // not JSON: keep the status text
      }
      throw new ApiError(res.status, message);
    }
    return res.json();
  }

  /** Like get, but an endpoint that does not exist (404) yields null, so the page degrades. */
  async function optional(path, params) {
    try {
      return await get(path, params);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 422)) return null;
      throw e;
    }
  }

  /**
   * A read-out that cannot be computed yet (422: e.g. Cox with an arm that has no deaths, early
   * in a trial; 404: not projected yet) is a state to show, not a failure: `{ unavailable }`.
   */
  async function readout(path, params) {
    try {
      return await get(path, params);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 422)) return { unavailable: e.message };
      throw e;
    }
  }

  /**
   * Live read-out changes over SSE. EventSource cannot send headers, so the token goes in
   * the query (the guard accepts `access_token`; the URL stays out of the address bar).
   * Calls onChange(data | null) for every message; onState('live' | 'reconnecting' | 'off').
   */
  function stream(trialId, onChange, onState) {
    const url = `/trials/${encodeURIComponent(trialId)}/stream?access_token=${encodeURIComponent(token)}`;
    const es = new EventSource(url);
    es.onopen = () => onState('live');
    const changed = (e) => {
      let data = null;
      try { data = JSON.parse(e.data); } catch { /* a bare ping: still a change */ }
      onChange(data);
    };
    es.onmessage = changed;
    // Named events (the API sends `event: readout`) as well as unnamed ones.
    for (const name of ['readout', 'change', 'update']) es.addEventListener(name, changed);
    es.onerror = () => onState(es.readyState === EventSource.CLOSED ? 'off' : 'reconnecting');
    return () => es.close();
  }

  return { get, optional, readout, stream };
}
