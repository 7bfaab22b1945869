// Sign-in: a token pasted into the form or passed once as `/?token=...`. The token is kept in
// sessionStorage (gone when the tab closes) and removed from the address bar at once, so it
// is not left in history, bookmarks or screenshots.

const KEY = 'followup.token';

export function takeTokenFromUrl() {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (token) {
    sessionStorage.setItem(KEY, token.trim());
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + (url.search ? url.search : '') + url.hash);
  }
}

export const storedToken = () => sessionStorage.getItem(KEY);
export const storeToken = (t) => sessionStorage.setItem(KEY, t.trim());
export const forgetToken = () => sessionStorage.removeItem(KEY);

/**
 * The token's claims, decoded for display and to choose which view to draw. Not a check:
 * the API verifies the signature and enforces the role on every request.
 */
export function claims(token) {
  try {
    const payload = token.split('.')[1];
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
    const c = JSON.parse(json);
    if (typeof c.role !== 'string') return null;
    return { role: c.role, sub: typeof c.sub === 'string' ? c.sub : '', exp: typeof c.exp === 'number' ? c.exp : null };
  } catch {
    return null;
  }
}
