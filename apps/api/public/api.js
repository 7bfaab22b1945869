// The guarded API, called with the signed-in user's bearer token. The server enforces roles;
// this module only carries the token and turns failures into messages a person can act on.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** `token`: the bearer token, or a function giving the current one (a session renewed silently changes it). */
export function createApi(token, onResponse) {
  const bearer = () => (typeof token === 'function' ? token() : token);
  async function get(path, params) {
    const url = new URL(path, location.origin);
    for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
    const res = await fetch(url, { headers: { Authorization: `Bearer ${bearer()}`, Accept: 'application/json' }, cache: 'no-store' });
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

  /** A JSON POST (the look a DSMB member takes); the API's refusal message becomes the error. */
  async function post(path, body) {
    const url = new URL(path, location.origin);
    const res = await fetch(url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${bearer()}`, Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify(body ?? {}),
      cache: 'no-store',
    });
    onResponse?.(res.status, url.pathname);
    const json = await res.json().catch(() => null);
    if (!res.ok) throw new ApiError(res.status, typeof json?.message === 'string' ? json.message : res.statusText);
    return json;
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
   * Live read-out changes over SSE. EventSource cannot send headers, and the API refuses a
   * token in a URL, so each connection first asks (with the bearer header) for a one-use stream
   * ticket and opens `?ticket=` with it. A ticket opens one connection only, so after an error
   * the page reconnects itself with a new ticket (EventSource's own retry would reuse the
   * spent one); a refused ticket request (the token expired) ends the stream.
   * Calls onChange(data | null) for every message; onState('live' | 'reconnecting' | 'off').
   */
  function stream(trialId, onChange, onState) {
    let es = null;
    let stopped = false;
    let retryMs = 500;
    let timer = null;
    const changed = (e) => {
      let data = null;
      try {
        data = JSON.parse(e.data);
      } catch {
        /* a bare ping: still a change */
      }
      onChange(data);
    };
    async function connect() {
      let ticket;
      try {
        const res = await fetch('/stream-tickets', {
          method: 'POST',
          headers: { Authorization: `Bearer ${bearer()}`, Accept: 'application/json' },
          cache: 'no-store',
        });
        onResponse?.(res.status, '/stream-tickets');
        if (res.status === 401 || res.status === 403) {
          onState('off');
          return;
        }
        if (!res.ok) throw new ApiError(res.status, res.statusText);
        ({ ticket } = await res.json());
      } catch {
        return retry();
      }
      if (stopped) return;
      es = new EventSource(`/trials/${encodeURIComponent(trialId)}/stream?ticket=${encodeURIComponent(ticket)}`);
      es.onopen = () => {
        retryMs = 500;
        onState('live');
      };
      es.onmessage = changed;
      // Named events (the API sends `event: readout`) as well as unnamed ones.
      for (const name of ['readout', 'change', 'update']) es.addEventListener(name, changed);
      es.onerror = () => {
        es.close();
        retry();
      };
    }
    function retry() {
      if (stopped) return;
      onState('reconnecting');
      timer = setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10_000);
    }
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      es?.close();
    };
  }

  return { get, post, optional, readout, stream };
}
