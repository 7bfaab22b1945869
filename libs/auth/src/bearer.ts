import { decodeJwt, type JWTPayload } from 'jose';
import { OidcVerifier } from './oidc';
import { TokenError, VerifiedPrincipal, verifyToken } from './tokens';

/**
 * The one place that decides whether a bearer token is accepted: a development token (HS256,
 * issuer trial-followup) when a signing secret is configured, or an access token from the
 * configured OIDC issuer. The unverified `iss` only chooses which verifier checks it; each
 * verifier then checks the issuer itself, so a token cannot pick a weaker path.
 */
export class BearerVerifier {
  constructor(
    private readonly secret: string | null,
    private readonly oidc: OidcVerifier | null,
  ) {}

  async verify(token: string): Promise<{ ok: true; value: VerifiedPrincipal } | { ok: false; error: TokenError }> {
    if (this.oidc && this.oidc.claimsIssuer(unverifiedPayload(token))) return this.oidc.verify(token);
    // Everything else is judged as a development token, exactly as before OIDC existed.
    if (this.secret) return verifyToken(this.secret, token);
    return { ok: false, error: { code: 'token-invalid', reason: 'token is not from an accepted issuer' } };
  }
}

function unverifiedPayload(token: string): JWTPayload {
  try {
    return decodeJwt(token);
  } catch {
    return {};
  }
}
