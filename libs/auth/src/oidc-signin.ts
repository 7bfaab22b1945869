import { OidcOptions, OidcVerifier } from './oidc';
import type { TokenError, VerifiedPrincipal } from './tokens';

/** What the dashboard needs to start the authorisation-code flow; nothing in it is secret. */
export interface SignInConfig {
  oidc: { issuer: string; authorizationEndpoint: string; clientId: string; scopes: string; resource: string | null } | null;
}

/** A verified access token; `refreshToken` when the provider issued one (null otherwise: the session ends with the token). */
export type ExchangeResult =
  { ok: true; value: { accessToken: string; refreshToken: string | null; principal: VerifiedPrincipal } } | { ok: false; error: TokenError };

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
}

/**
 * The dashboard's sign-in through the OIDC provider, the code exchanged by the API (a public
 * client: PKCE, no secret). Exchanging here keeps the page's CSP at connect-src 'self' and
 * needs no CORS at the provider's token endpoint; and the token is verified, role and all,
 * before the page gets it, so the page never has to parse a provider's claims.
 */
export class OidcSignIn {
  private discovery: Promise<Discovery> | null = null;

  constructor(
    private readonly options: (OidcOptions & { clientId: string | null; scopes: string }) | null,
    private readonly verifier: OidcVerifier | null,
  ) {}

  async config(): Promise<SignInConfig> {
    const o = this.options;
    if (!o?.clientId) return { oidc: null };
    const d = await this.discover();
    const resource = resourceOf(o.audience);
    return { oidc: { issuer: o.issuer, authorizationEndpoint: d.authorization_endpoint, clientId: o.clientId, scopes: o.scopes, resource } };
  }

  /** Redeems an authorisation code with its PKCE verifier at the provider's token endpoint, then verifies the access token. */
  exchange(input: { code: string; codeVerifier: string; redirectUri: string }): Promise<ExchangeResult> {
    return this.redeem({ grant_type: 'authorization_code', code: input.code, code_verifier: input.codeVerifier, redirect_uri: input.redirectUri });
  }

  /**
   * Renews a session silently: the refresh token the provider issued with the code (RFC 6749
   * section 6) for a new access token, verified like the first. A provider that rotates refresh
   * tokens returns a new one, which replaces the old; otherwise the old stays valid.
   */
  refresh(refreshToken: string): Promise<ExchangeResult> {
    return this.redeem({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  private async redeem(grant: Record<string, string>): Promise<ExchangeResult> {
    const o = this.options;
    if (!o?.clientId || !this.verifier) return fail('sign-in through an identity provider is not configured');
    const d = await this.discover().catch(() => null);
    if (!d) return fail('the identity provider could not be reached');
    const body = new URLSearchParams({ ...grant, client_id: o.clientId });
    const resource = resourceOf(o.audience);
    if (resource) body.set('resource', resource);
    const res = await fetch(d.token_endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).catch(
      () => null,
    );
    if (!res) return fail('the identity provider could not be reached');
    // The provider's error body may echo the code: only its status and error name are passed on.
    const json = (await res.json().catch(() => ({}))) as { access_token?: unknown; refresh_token?: unknown; error?: unknown };
    if (!res.ok || typeof json.access_token !== 'string') {
      const what = grant.grant_type === 'refresh_token' ? 'the renewal' : 'the sign-in';
      return fail(`the identity provider refused ${what} (${res.status}${typeof json.error === 'string' ? ` ${json.error}` : ''})`);
    }
    const verified = await this.verifier.verify(json.access_token);
    if (!verified.ok) return verified;
    const refreshToken = typeof json.refresh_token === 'string' ? json.refresh_token : null;
    return { ok: true, value: { accessToken: json.access_token, refreshToken, principal: verified.value } };
  }

  private discover(): Promise<Discovery> {
    const issuer = this.options?.issuer ?? '';
    this.discovery ??= (async () => {
      const res = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
      const d = (await res.json()) as Partial<Discovery> & { issuer?: string };
      if (!res.ok || d.issuer !== issuer || typeof d.authorization_endpoint !== 'string' || typeof d.token_endpoint !== 'string') {
        throw new Error("the identity provider's discovery document is missing or does not match OIDC_ISSUER");
      }
      return { authorization_endpoint: d.authorization_endpoint, token_endpoint: d.token_endpoint };
    })();
    // A failed discovery is not cached: the provider may be up at the next sign-in.
    this.discovery.catch(() => {
      this.discovery = null;
    });
    return this.discovery;
  }
}

/** RFC 8707's resource parameter must be an absolute URI: an audience that is one is sent as it. */
function resourceOf(audience: string): string | null {
  return /^https?:\/\//.test(audience) ? audience : null;
}

function fail(reason: string): { ok: false; error: TokenError } {
  return { ok: false, error: { code: 'token-invalid', reason } };
}
