// Sign-in through the organisation's identity provider: the authorisation-code flow with PKCE
// (RFC 7636). The page sends the browser to the provider with a code challenge; the provider
// sends it back to `/#code=...&state=...` (response_mode=fragment: the fragment never reaches
// a server, so the code is in no request line or log); the page removes code and state from
// the address bar at once (history.replaceState), then hands code and verifier to the API in a
// POST body. The API redeems them and answers with the verified access token and its role.
// The token lives in sessionStorage only, like a pasted development token. When the provider
// issues a refresh token with the code, the page renews the access token before it expires
// (POST /auth/refresh, the API redeeming it as it redeemed the code); without one, or once the
// provider refuses, an expired session signs in again.
import { claims, storedRefreshToken, storedToken, storeSignedIn } from './session.js';

const FLOW = 'followup.oidc-flow';

const b64url = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const random = (n) => b64url(crypto.getRandomValues(new Uint8Array(n)));
const redirectUri = () => `${location.origin}/`;

/** The provider's settings from the API, or null when only development tokens are in use. */
export async function signInConfig() {
  try {
    const res = await fetch('/auth/config', { cache: 'no-store' });
    return res.ok ? ((await res.json()).oidc ?? null) : null;
  } catch {
    return null;
  }
}

/** Leaves for the provider's login page; the verifier and state wait in sessionStorage for the way back. */
export async function beginSignIn(cfg) {
  const verifier = random(32);
  const state = random(16);
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(FLOW, JSON.stringify({ verifier, state }));
  const url = new URL(cfg.authorizationEndpoint);
  const params = {
    response_type: 'code',
    response_mode: 'fragment',
    client_id: cfg.clientId,
    redirect_uri: redirectUri(),
    scope: cfg.scopes,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  if (cfg.resource) url.searchParams.set('resource', cfg.resource);
  location.assign(url.toString());
}

/**
 * On the way back from the provider: the code (or the provider's error) taken from the URL
 * and removed from it before anything else happens. Resolves to null when this page load is
 * not a return from the provider, to { token, principal } on success, or to { error }.
 */
export async function completeSignIn() {
  const url = new URL(location.href);
  const fragment = new URLSearchParams(url.hash.replace(/^#/, ''));
  // A provider that ignores response_mode answers in the query instead.
  const from = fragment.has('code') || fragment.has('error') ? fragment : url.searchParams;
  if (!from.has('code') && !from.has('error')) return null;
  const code = from.get('code');
  const state = from.get('state');
  const error = from.get('error');
  for (const k of ['code', 'state', 'error', 'error_description', 'iss', 'session_state']) {
    fragment.delete(k);
    url.searchParams.delete(k);
  }
  const rest = fragment.toString();
  history.replaceState(null, '', url.pathname + url.search + (rest ? `#${rest}` : ''));

  const flow = JSON.parse(sessionStorage.getItem(FLOW) ?? 'null');
  sessionStorage.removeItem(FLOW);
  if (error) return { error: `The identity provider did not sign you in (${error}).` };
  if (!flow || flow.state !== state) return { error: 'That sign-in was not started here (state does not match): sign in again.' };
  const res = await fetch('/auth/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    cache: 'no-store',
    body: JSON.stringify({ code, codeVerifier: flow.verifier, redirectUri: redirectUri() }),
  });
  const body = await res.json().catch(() => null);
  if (!res.ok) return { error: `Sign-in failed: ${typeof body?.message === 'string' ? body.message : res.statusText}.` };
  return { token: body.accessToken, refreshToken: body.refreshToken ?? null, principal: { role: body.role, sub: body.sub, exp: body.exp } };
}

/** Swaps the stored refresh token for a new access token (and the provider's new refresh token, if it rotates them). */
export async function renewSession() {
  const refreshToken = storedRefreshToken();
  if (!refreshToken) return false;
  const res = await fetch('/auth/refresh', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    cache: 'no-store',
    body: JSON.stringify({ refreshToken }),
  }).catch(() => null);
  const body = res ? await res.json().catch(() => null) : null;
  if (!res?.ok || typeof body?.accessToken !== 'string') return false;
  storeSignedIn(body.accessToken, { role: body.role, sub: body.sub, exp: body.exp }, body.refreshToken ?? refreshToken);
  return true;
}

/**
 * Renews the session before the access token expires (a quarter of its life, at most a minute,
 * ahead), again after each renewal, for as long as the provider renews it. `onRenewed(role)`
 * after each; a failed renewal does nothing, so the token expires and the API's 401 asks the
 * user to sign in again.
 */
export function keepSessionAlive(onRenewed) {
  if (!storedRefreshToken()) return;
  const c = claims(storedToken() ?? '');
  if (!c?.exp) return;
  const left = c.exp * 1000 - Date.now();
  setTimeout(
    async () => {
      if (!(await renewSession())) return;
      onRenewed?.(claims(storedToken() ?? '')?.role ?? null);
      keepSessionAlive(onRenewed);
    },
    Math.max(0, left - Math.min(60_000, left / 4)),
  );
}
