import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { OidcVerifier } from './oidc';

/**
 * The remote JWKS over loopback HTTP, as jose's createRemoteJWKSet fetches it in production:
 * fetched once and cached, and fetched again when a token names a kid it does not hold.
 */
describe('OidcVerifier (remote JWKS, key rotation)', () => {
  let server: Server;
  let issuer: string;
  let published: JWK[] = [];
  let jwksFetches = 0;

  const keyPair = async (kid: string): Promise<{ key: KeyLike; jwk: JWK }> => {
    const pair = await generateKeyPair('ES256');
    return { key: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg: 'ES256', use: 'sig' } };
  };
  const sign = (key: KeyLike, kid: string) =>
    new SignJWT({ sub: 'p', roles: ['mon'] })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer(issuer)
      .setAudience('api')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration') return res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
      if (req.url === '/jwks') {
        jwksFetches++;
        return res.end(JSON.stringify({ keys: published }));
      }
      res.statusCode = 404;
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('discovers the JWKS, caches it, and refetches once for a rotated key', async () => {
    const first = await keyPair('k1');
    published = [first.jwk];
    const verifier = new OidcVerifier({
      issuer,
      audience: 'api',
      roleClaim: 'roles',
      roleMap: { mon: 'monitor' },
      clockSkewSeconds: 0,
      jwksCooldownSeconds: 0,
      jwksUri: null,
    });
    expect((await verifier.verify(await sign(first.key, 'k1'))).ok).toBe(true);
    expect((await verifier.verify(await sign(first.key, 'k1'))).ok).toBe(true);
    expect(jwksFetches).toBe(1);

    const second = await keyPair('k2');
    published = [second.jwk, first.jwk];
    const r = await verifier.verify(await sign(second.key, 'k2'));
    expect(r.ok && r.value.role).toBe('monitor');
    expect(jwksFetches).toBe(2);
    // A kid the issuer never published: refused after one more look.
    const rogue = await keyPair('k3');
    expect(await verifier.verify(await sign(rogue.key, 'k3'))).toEqual({
      ok: false,
      error: { code: 'token-invalid', reason: 'token is signed with a key the issuer does not publish' },
    });
  });
});
