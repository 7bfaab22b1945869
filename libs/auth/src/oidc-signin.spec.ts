import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { OidcVerifier } from './oidc';
import { OidcSignIn } from './oidc-signin';

const ISSUER = 'https://idp.example.test';
const options = {
  issuer: ISSUER,
  audience: 'https://api.example.test',
  roleClaim: 'roles',
  roleMap: { mon: 'monitor' as const },
  clockSkewSeconds: 0,
  jwksCooldownSeconds: 30,
  jwksUri: null,
  clientId: 'dashboard',
  scopes: 'openid',
};
const discovery = { issuer: ISSUER, authorization_endpoint: `${ISSUER}/auth`, token_endpoint: `${ISSUER}/token` };
/** A fresh provider key (its public JWK) and a token it signed for the monitor role, valid for 5 minutes. */
async function signedByProvider() {
  const pair = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k', alg: 'ES256' };
  const token = await new SignJWT({ sub: 'u', roles: ['mon'] })
    .setProtectedHeader({ alg: 'ES256', kid: 'k' })
    .setIssuer(ISSUER)
    .setAudience(options.audience)
    .setExpirationTime('5m')
    .sign(pair.privateKey);
  return { jwk, token };
}
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('OidcSignIn (stubbed provider)', () => {
  const realFetch = global.fetch;
  afterEach(() => {
    global.fetch = realFetch;
  });

  it('says nothing is configured without a client id', async () => {
    expect(await new OidcSignIn({ ...options, clientId: null }, null).config()).toEqual({ oidc: null });
  });

  it('gives the dashboard the authorisation endpoint, and exchanges a code for a verified token', async () => {
    const { jwk, token } = await signedByProvider();
    const sent: Array<{ url: string; body: string }> = [];
    global.fetch = jest.fn(async (url: string | URL | Request, init?: RequestInit) => {
      sent.push({ url: String(url), body: String(init?.body ?? '') });
      return String(url).endsWith('/openid-configuration') ? json(discovery) : json({ access_token: token, token_type: 'Bearer' });
    }) as typeof fetch;
    const signIn = new OidcSignIn(options, new OidcVerifier(options, createLocalJWKSet({ keys: [jwk] })));
    expect(await signIn.config()).toEqual({
      oidc: { issuer: ISSUER, authorizationEndpoint: `${ISSUER}/auth`, clientId: 'dashboard', scopes: 'openid', resource: options.audience },
    });
    const r = await signIn.exchange({ code: 'c0de', codeVerifier: 'v'.repeat(43), redirectUri: 'https://api.example.test/' });
    expect(r.ok && r.value.principal).toMatchObject({ sub: 'u', role: 'monitor' });
    const form = new URLSearchParams(sent[sent.length - 1].body);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'authorization_code',
      code: 'c0de',
      code_verifier: 'v'.repeat(43),
      redirect_uri: 'https://api.example.test/',
      client_id: 'dashboard',
      resource: options.audience,
    });
  });

  it("passes on the provider's refusal without its body, and an unreachable provider", async () => {
    global.fetch = jest.fn(async (url: string | URL | Request) =>
      String(url).endsWith('/openid-configuration') ? json(discovery) : json({ error: 'invalid_grant', error_description: 'code c0de is used' }, 400),
    ) as typeof fetch;
    const signIn = new OidcSignIn(options, new OidcVerifier(options, createLocalJWKSet({ keys: [] })));
    expect(await signIn.exchange({ code: 'c0de', codeVerifier: 'v'.repeat(43), redirectUri: 'https://x/' })).toEqual({
      ok: false,
      error: { code: 'token-invalid', reason: 'the identity provider refused the sign-in (400 invalid_grant)' },
    });
    global.fetch = jest.fn(async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    const down = new OidcSignIn(options, new OidcVerifier(options, createLocalJWKSet({ keys: [] })));
    expect(await down.exchange({ code: 'c', codeVerifier: 'v'.repeat(43), redirectUri: 'https://x/' })).toEqual({
      ok: false,
      error: { code: 'token-invalid', reason: 'the identity provider could not be reached' },
    });
  });

  it('renews with a refresh token: the same token endpoint, a verified token, the rotated refresh token; a refusal named as a renewal', async () => {
    const { jwk, token } = await signedByProvider();
    const sent: string[] = [];
    let refuse = false;
    global.fetch = jest.fn(async (url: string | URL | Request, init?: RequestInit) => {
      if (String(url).endsWith('/openid-configuration')) return json(discovery);
      sent.push(String(init?.body ?? ''));
      return refuse
        ? json({ error: 'invalid_grant', error_description: 'refresh token r1 revoked' }, 400)
        : json({ access_token: token, token_type: 'Bearer', refresh_token: 'r2' });
    }) as typeof fetch;
    const signIn = new OidcSignIn(options, new OidcVerifier(options, createLocalJWKSet({ keys: [jwk] })));
    const r = await signIn.refresh('r1');
    expect(r.ok && { refreshToken: r.value.refreshToken, role: r.value.principal.role }).toEqual({ refreshToken: 'r2', role: 'monitor' });
    expect(Object.fromEntries(new URLSearchParams(sent[0]))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'r1',
      client_id: 'dashboard',
      resource: options.audience,
    });
    refuse = true;
    expect(await signIn.refresh('r1')).toEqual({
      ok: false,
      error: { code: 'token-invalid', reason: 'the identity provider refused the renewal (400 invalid_grant)' },
    });
  });
});
