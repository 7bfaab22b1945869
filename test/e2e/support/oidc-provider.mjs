// A real OpenID Connect provider (the `oidc-provider` package) for the sign-in e2e test, run
// as its own process because the package is ESM only. Test users, one per role, log in on its
// development login and consent pages with any password; their groups are the role claim.
// Usage: node oidc-provider.mjs <port> <api-audience> <dashboard-redirect-uri>
// Prints `ready` when listening. POST /__test/rotate (loopback only, test use) publishes a new
// signing key first and keeps the old one, as a provider rotating its key does.
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const [port, audience, redirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

/**
 * Test users: login name = account id. `short-lived` and `renewed` get 4-second access tokens;
 * `renewed` alone a refresh token with them (the dashboard renews its session silently),
 * `short-lived` none (its session expires).
 */
const SHORT = new Set(['short-lived', 'renewed']);
const USERS = {
  'dsmb-chair': ['staff', 'trial-dsmb'],
  'trial-monitor': ['staff', 'trial-monitors'],
  'registry-feed': ['registry-feeds'],
  'linkage-reviewer': ['staff', 'linkage-reviewers'],
  'short-lived': ['trial-monitors'],
  renewed: ['trial-monitors'],
  nobody: ['staff'],
};

let keys = [];
let generation = 0;
async function newKey() {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  generation += 1;
  return { ...(await exportJWK(privateKey)), kid: `test-key-${generation}`, alg: 'RS256', use: 'sig' };
}

function provider() {
  const p = new Provider(issuer, {
    clients: [
      {
        client_id: 'followup-dashboard',
        token_endpoint_auth_method: 'none',
        redirect_uris: [redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code', 'refresh_token'],
      },
      // For tokens without a browser (rotation, another issuer): client credentials carry the dsmb group.
      {
        client_id: 'machine',
        client_secret: 'machine-secret-for-tests-only',
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
      },
    ],
    jwks: { keys },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'followup', audience, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
      },
    },
    scopes: ['openid', 'followup'],
    // The default issues one only for offline_access (granted only with prompt=consent): here by user.
    issueRefreshToken: (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.accountId === 'renewed',
    findAccount: (_ctx, id) => (USERS[id] ? { accountId: id, claims: () => ({ sub: id }) } : undefined),
    extraTokenClaims: (_ctx, token) => {
      if (token.kind === 'ClientCredentials') return { groups: ['trial-dsmb'] };
      return token.accountId ? { groups: USERS[token.accountId] } : undefined;
    },
    ttl: {
      AccessToken: (_ctx, token) => (SHORT.has(token.accountId) ? 4 : 600),
      RefreshToken: () => 3600,
      ClientCredentials: () => 600,
      Interaction: () => 600,
      Session: () => 3600,
      Grant: () => 3600,
      IdToken: () => 600,
    },
    cookies: { keys: ['cookie-key-for-tests-only'] },
  });
  return p;
}

keys = [await newKey()];
let handler = provider().callback();
const server = createServer(async (req, res) => {
  if (req.method === 'POST' && req.url === '/__test/rotate') {
    keys = [await newKey(), ...keys];
    handler = provider().callback();
    res.setHeader('content-type', 'application/json');
    return res.end(JSON.stringify({ kid: keys[0].kid }));
  }
  return handler(req, res);
});
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
