import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { TokenError } from './tokens';
import type { Role, VerifiedPrincipal } from './tokens';

/** What the verifier needs of the OIDC settings (@trial/config's OidcSettings has this shape). */
export interface OidcOptions {
  issuer: string;
  audience: string;
  roleClaim: string;
  roleMap: Record<string, Role>;
  clockSkewSeconds: number;
  jwksCooldownSeconds: number;
  jwksUri: string | null;
}

/** Asymmetric algorithms only: an HS256 token "signed" with a public key must never verify. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export type OidcResult = { ok: true; value: VerifiedPrincipal } | { ok: false; error: TokenError };

/**
 * Verifies access tokens from one issuer. The JWKS is fetched on first use and cached by
 * jose's createRemoteJWKSet, which fetches again when a token names a kid it does not hold
 * (the provider rotated its key), at most once per cooldown. Checked: signature, issuer,
 * audience, exp and nbf with the configured clock skew, a sub, and exactly one role from
 * the role claim through the role map. `keys` is for tests (a local JWKS).
 */
export class OidcVerifier {
  private keys: JWTVerifyGetKey | null;

  constructor(
    private readonly options: OidcOptions,
    keys?: JWTVerifyGetKey,
  ) {
    this.keys = keys ?? null;
  }

  /** Whether this token claims to come from our issuer (unverified: only to choose the verifier). */
  claimsIssuer(payload: JWTPayload): boolean {
    return payload.iss === this.options.issuer;
  }

  async verify(token: string, now?: number): Promise<OidcResult> {
    const o = this.options;
    try {
      const keys = this.keys ?? (this.keys = createRemoteJWKSet(new URL(await this.jwksUri()), { cooldownDuration: o.jwksCooldownSeconds * 1000 }));
      const { payload } = await jwtVerify(token, keys, {
        issuer: o.issuer,
        audience: o.audience,
        clockTolerance: o.clockSkewSeconds,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp', 'sub'],
        currentDate: now === undefined ? undefined : new Date(now * 1000),
      });
      const role = this.roleOf(payload);
      if (!role.ok) return role;
      return { ok: true, value: { sub: payload.sub as string, role: role.value, exp: payload.exp as number } };
    } catch (e) {
      if (e instanceof errors.JWTExpired) return invalid('token-expired', 'token has expired');
      if (e instanceof errors.JWTClaimValidationFailed) return invalid('token-invalid', `token ${e.claim} claim is not accepted`);
      if (e instanceof errors.JWKSNoMatchingKey) return invalid('token-invalid', 'token is signed with a key the issuer does not publish');
      return invalid('token-invalid', 'token is not valid');
    }
  }

  private roleOf(payload: JWTPayload): { ok: true; value: Role } | { ok: false; error: TokenError } {
    const claim = payload[this.options.roleClaim];
    const values = typeof claim === 'string' ? claim.split(' ') : Array.isArray(claim) ? claim.filter((v) => typeof v === 'string') : [];
    const mapped = [...new Set(values.map((v) => this.options.roleMap[v]).filter((r): r is Role => r !== undefined))];
    if (mapped.length === 0) return invalid('token-invalid', `token's ${this.options.roleClaim} claim grants no followup role`);
    // One token, one role: which view a person with two roles sees must not depend on claim order.
    if (mapped.length > 1) return invalid('token-invalid', `token's ${this.options.roleClaim} claim grants several followup roles`);
    return { ok: true, value: mapped[0] };
  }

  private async jwksUri(): Promise<string> {
    if (this.options.jwksUri) return this.options.jwksUri;
    const res = await fetch(`${this.options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
    if (!res.ok) throw new Error(`discovery answered ${res.status}`);
    const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (doc.issuer !== this.options.issuer || typeof doc.jwks_uri !== 'string') throw new Error('discovery document does not match the issuer');
    return doc.jwks_uri;
  }
}

function invalid(code: TokenError['code'], reason: string): { ok: false; error: TokenError } {
  return { ok: false, error: { code, reason } };
}
