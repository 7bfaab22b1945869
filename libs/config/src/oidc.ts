import { z } from 'zod';
import { describeIssues } from '@trial/contracts';
import { ConfigError } from './error';

/** The roles an identity provider may grant; registry-admin and operator stay with development tokens. */
export const oidcRoles = ['ingest', 'monitor', 'dsmb', 'reviewer'] as const;
export type OidcRole = (typeof oidcRoles)[number];

/** `OIDC_ROLE_MAP=trial-dsmb=dsmb,trial-monitor=monitor`: claim value = role, comma-separated. */
const roleMap = z.string().transform((s, ctx) => {
  const out: Record<string, OidcRole> = {};
  for (const pair of s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const i = pair.lastIndexOf('=');
    const value = pair.slice(0, i).trim();
    const r = pair.slice(i + 1).trim();
    if (i <= 0 || !(oidcRoles as readonly string[]).includes(r)) {
      ctx.addIssue({ code: 'custom', message: `each entry must be claim-value=role, role one of ${oidcRoles.join('|')}` });
      return z.NEVER;
    }
    out[value] = r as OidcRole;
  }
  if (Object.keys(out).length === 0) {
    ctx.addIssue({ code: 'custom', message: 'must map at least one claim value to a role' });
    return z.NEVER;
  }
  return out;
});

const blankIsUnset = (v: unknown) => (v === '' ? undefined : v);
const seconds = (max: number, dflt: number) => z.coerce.number().int().min(0).max(max).default(dflt);

const schema = z.object({
  OIDC_ISSUER: z.preprocess(blankIsUnset, z.string().url('must be a URL').optional()),
  OIDC_AUDIENCE: z.preprocess(blankIsUnset, z.string().min(1).optional()),
  /** The dashboard's public client (authorisation code + PKCE, no secret). */
  OIDC_CLIENT_ID: z.preprocess(blankIsUnset, z.string().min(1).optional()),
  OIDC_SCOPES: z.string().default('openid'),
  OIDC_ROLE_CLAIM: z
    .string()
    .regex(/^[A-Za-z0-9_:/.-]+$/, 'must be a claim name')
    .default('roles'),
  OIDC_ROLE_MAP: z.preprocess(blankIsUnset, roleMap.optional()),
  /** Leeway for exp/nbf/iat between the provider's clock and ours. */
  OIDC_CLOCK_SKEW_SECONDS: seconds(300, 60),
  /** Least time between two JWKS fetches, so a stream of unknown kids cannot hammer the provider. */
  OIDC_JWKS_COOLDOWN_SECONDS: seconds(3600, 30),
  /** Skips discovery; by default jwks_uri is read from the issuer's openid-configuration. */
  OIDC_JWKS_URI: z.preprocess(blankIsUnset, z.string().url('must be a URL').optional()),
});

export interface OidcSettings {
  issuer: string;
  audience: string;
  clientId: string | null;
  scopes: string;
  roleClaim: string;
  roleMap: Record<string, OidcRole>;
  clockSkewSeconds: number;
  jwksCooldownSeconds: number;
  jwksUri: string | null;
}

/**
 * The OpenID Connect settings, or null when OIDC_ISSUER is unset (development tokens only).
 * An issuer without an audience or a role map is refused: a token for any audience of the
 * organisation's provider would otherwise be accepted, or none would carry a role. In
 * production the issuer must be https. Throws a ConfigError naming the bad variable.
 */
export function oidcSettings(env: NodeJS.ProcessEnv = process.env): OidcSettings | null {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`invalid configuration: ${describeIssues(parsed.error)}`);
  const d = parsed.data;
  if (!d.OIDC_ISSUER) return null;
  const fail = (what: string) => {
    throw new ConfigError(`invalid configuration: ${what}`);
  };
  if (!d.OIDC_AUDIENCE) fail('OIDC_AUDIENCE: is required with OIDC_ISSUER');
  if (!d.OIDC_ROLE_MAP) fail('OIDC_ROLE_MAP: is required with OIDC_ISSUER');
  // An ID token's aud is the client id: were it the API's audience too, an ID token would pass as an access token.
  if (d.OIDC_CLIENT_ID && d.OIDC_CLIENT_ID === d.OIDC_AUDIENCE) fail("OIDC_AUDIENCE: must be the API's audience, not the dashboard's client id");
  if (env.NODE_ENV === 'production' && !d.OIDC_ISSUER.startsWith('https://')) fail('OIDC_ISSUER: must be https in production');
  return {
    issuer: d.OIDC_ISSUER,
    audience: d.OIDC_AUDIENCE as string,
    clientId: d.OIDC_CLIENT_ID ?? null,
    scopes: d.OIDC_SCOPES,
    roleClaim: d.OIDC_ROLE_CLAIM,
    roleMap: d.OIDC_ROLE_MAP as Record<string, OidcRole>,
    clockSkewSeconds: d.OIDC_CLOCK_SKEW_SECONDS,
    jwksCooldownSeconds: d.OIDC_JWKS_COOLDOWN_SECONDS,
    jwksUri: d.OIDC_JWKS_URI ?? null,
  };
}
