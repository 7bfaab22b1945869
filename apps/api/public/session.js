// Sign-in: a token pasted into the form or passed once as `/#token=...`. In the fragment, not
// the query: a browser never sends the fragment, so the token is not in the server's request
// line, its logs or a proxy's (and the API refuses a credential in any URL's query). It is kept
// in sessionStorage (gone when the tab closes) and removed from the address bar at once, so it
// is not left in history, bookmarks or screenshots.

const KEY = 'followup.token';

export function takeTokenFromUrl() {
  const url = new URL(location.href);
  const fragment = new URLSearchParams(url.hash.replace(/^#/, ''));
  const token = fragment.get('token');
  if (token) {
    sessionStorage.setItem(KEY, token.trim());
    fragment.delete('token');
    const rest = fragment.toString();
    history.replaceState(null, '', url.pathname + url.search + (rest ? `#${rest}` : ''));
    return true;
  }
  return false;
}

// An identity provider's token names its role in a claim of the organisation's choosing: the
// role the API found in it at sign-in is kept beside it.
const PRINCIPAL = 'followup.principal';

// The provider's refresh token, when it issued one with the code: what renews the session
// silently (oidc.js `keepSessionAlive`). Kept like the access token, in this tab only.
const REFRESH = 'followup.refresh';

export const storedToken = () => sessionStorage.getItem(KEY);
export const storedRefreshToken = () => sessionStorage.getItem(REFRESH);
export const storeToken = (t) => {
  sessionStorage.removeItem(PRINCIPAL);
  sessionStorage.removeItem(REFRESH);
  sessionStorage.setItem(KEY, t.trim());
};
export const storeSignedIn = (t, principal, refreshToken) => {
  storeToken(t);
  sessionStorage.setItem(PRINCIPAL, JSON.stringify(principal));
  if (refreshToken) sessionStorage.setItem(REFRESH, refreshToken);
};
export const forgetToken = () => {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(PRINCIPAL);
  sessionStorage.removeItem(REFRESH);
};
export const signedInByProvider = () => sessionStorage.getItem(PRINCIPAL) !== null;

function providerPrincipal(c) {
  const p = JSON.parse(sessionStorage.getItem(PRINCIPAL) ?? 'null');
  return p && p.sub === c.sub && p.exp === c.exp && typeof p.role === 'string' ? { role: p.role, sub: p.sub, exp: p.exp } : null;
}

/**
 * The token's claims, decoded for display and to choose which view to draw. Not a check:
 * the API verifies the signature and enforces the role on every request.
 */
export function claims(token) {
  try {
    const payload = token.split('.')[1];
    const json = atob(
      payload
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(payload.length / 4) * 4, '='),
    );
    const c = JSON.parse(json);
    if (typeof c.role !== 'string') return providerPrincipal(c);
    return { role: c.role, sub: typeof c.sub === 'string' ? c.sub : '', exp: typeof c.exp === 'number' ? c.exp : null };
  } catch {
    return null;
  }
}
