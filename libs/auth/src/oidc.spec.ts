import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { BearerVerifier } from './bearer';
import { OidcOptions, OidcVerifier } from './oidc';
import { signToken } from './tokens';

const ISSUER = 'https://idp.example.test/realms/trials';
const options: OidcOptions = {
  issuer: ISSUER,
  audience: 'trial-followup-api',
  roleClaim: 'groups',
  clockSkewSeconds: 60,
  jwksCooldownSeconds: 30,
  jwksUri: null,
  roleMap: { 'dsmb-members': 'dsmb', 'trial-monitors': 'monitor', 'registry-feeds': 'ingest', reviewers: 'reviewer' },
};
const NOW = 1_800_000_000;

describe('OidcVerifier (local JWKS)', () => {
  let key: KeyLike;
  let jwk: JWK;
  let verifier: OidcVerifier;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    key = pair.privateKey;
    jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    verifier = new OidcVerifier(options, createLocalJWKSet({ keys: [jwk] }));
  });

  const sign = (claims: Record<string, unknown>, opts: { iss?: string; aud?: string; exp?: number; kid?: string; k?: KeyLike } = {}) =>
    new SignJWT({ sub: 'person-1', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? 'k1' })
      .setIssuer(opts.iss ?? ISSUER)
      .setAudience(opts.aud ?? options.audience)
      .setIssuedAt(NOW - 10)
      .setExpirationTime(opts.exp ?? NOW + 300)
      .sign(opts.k ?? key);

  it.each([
    ['dsmb-members', 'dsmb'],
    ['trial-monitors', 'monitor'],
    ['registry-feeds', 'ingest'],
    ['reviewers', 'reviewer'],
  ])('maps the %s group to the %s role', async (group, role) => {
    const r = await verifier.verify(await sign({ groups: ['staff', group] }), NOW);
    expect(r).toEqual({ ok: true, value: { sub: 'person-1', role, exp: NOW + 300 } });
  });

  it('accepts a space-separated claim string', async () => {
    expect((await verifier.verify(await sign({ groups: 'staff trial-monitors' }), NOW)).ok).toBe(true);
  });

  it.each([
    ['another issuer', { iss: 'https://evil.example.test' }, 'token iss claim is not accepted'],
    ['another audience', { aud: 'some-other-api' }, 'token aud claim is not accepted'],
  ])('refuses %s', async (_, opts, reason) => {
    expect(await verifier.verify(await sign({ groups: ['reviewers'] }, opts), NOW)).toEqual({ ok: false, error: { code: 'token-invalid', reason } });
  });

  it('refuses an expired token beyond the clock skew, and accepts one within it', async () => {
    const t = await sign({ groups: ['reviewers'] }, { exp: NOW - 30 });
    expect((await verifier.verify(t, NOW)).ok).toBe(true);
    expect(await verifier.verify(t, NOW + 31)).toEqual({ ok: false, error: { code: 'token-expired', reason: 'token has expired' } });
  });

  it('refuses a token with no mapped role, and one with several', async () => {
    const none = await verifier.verify(await sign({ groups: ['staff'] }), NOW);
    expect(none).toEqual({ ok: false, error: { code: 'token-invalid', reason: "token's groups claim grants no followup role" } });
    const two = await verifier.verify(await sign({ groups: ['dsmb-members', 'trial-monitors'] }), NOW);
    expect(two).toEqual({ ok: false, error: { code: 'token-invalid', reason: "token's groups claim grants several followup roles" } });
  });

  it('refuses a token signed by a key the issuer does not publish', async () => {
    const other = (await generateKeyPair('RS256')).privateKey;
    expect((await verifier.verify(await sign({ groups: ['reviewers'] }, { k: other }), NOW)).ok).toBe(false);
    expect((await verifier.verify(await sign({ groups: ['reviewers'] }, { k: other, kid: 'k9' }), NOW)).ok).toBe(false);
  });

  it('refuses an HS256 token whose secret is the public key (algorithm confusion)', async () => {
    const forged = await new SignJWT({ sub: 'x', groups: ['dsmb-members'] })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(options.audience)
      .setExpirationTime(NOW + 300)
      .sign(new TextEncoder().encode(JSON.stringify(jwk)));
    expect((await verifier.verify(forged, NOW)).ok).toBe(false);
  });

  it('BearerVerifier: an OIDC token goes to the OIDC verifier, a development token to the secret', async () => {
    const secret = 'unit-secret-unit-secret-unit-secret-0123';
    const bearer = new BearerVerifier(secret, verifier);
    const dev = await bearer.verify(signToken(secret, { sub: 'dev', role: 'operator', ttlSeconds: 60 }));
    expect(dev.ok && dev.value.role).toBe('operator');
    const noSecret = await new BearerVerifier(null, verifier).verify(signToken(secret, { sub: 'dev', role: 'dsmb', ttlSeconds: 60 }));
    expect(noSecret.ok).toBe(false);
    const oidc = await bearer.verify(await sign({ groups: ['reviewers'] }, { exp: Math.floor(Date.now() / 1000) + 300 }));
    expect(oidc.ok && oidc.value.role).toBe('reviewer');
  });
});
