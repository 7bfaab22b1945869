import jwt from 'jsonwebtoken';
import { z } from 'zod';

/**
 * DESIGN.md's roles: who may publish, who sees the blinded and who the unblinded read-out; and
 * `registry-admin`, the only one who may correct a registry's completeness (audited), kept apart
 * from `ingest` so that a feed's credentials cannot move completeness backwards; and `operator`,
 * who inspects and re-drives dead letters (never their content).
 */
export const roles = ['ingest', 'monitor', 'dsmb', 'reviewer', 'registry-admin', 'operator'] as const;
export const role = z.enum(roles);
export type Role = z.infer<typeof role>;

export interface Principal {
  sub: string;
  role: Role;
}

/** A principal from a verified token, with the instant (epoch seconds) its token expires. */
export type VerifiedPrincipal = Principal & { exp: number };

/**
 * The longest lifetime (exp - iat) a token may claim. `followup token` defaults to 8 h, a
 * working day; a token minted for centuries is a leaked credential that never stops working.
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 12 * 3600;
/** How far ahead of this clock a token's iat may be: clocks of two hosts disagree a little, never by minutes. */
export const CLOCK_SKEW_SECONDS = 60;

const claims = z.object({ sub: z.string().min(1), role, exp: z.number().int(), iat: z.number().int() });

export type TokenError = { code: 'token-invalid' | 'token-expired'; reason: string };

/**
 * Signs an HS256 bearer token carrying the role; `ttlSeconds` bounds how long it is accepted
 * (at most MAX_TOKEN_LIFETIME_SECONDS, or verifyToken refuses it). `now` is for tests.
 */
export function signToken(secret: string, p: Principal & { ttlSeconds: number; now?: number }): string {
  const iat = p.now ?? Math.floor(Date.now() / 1000);
  return jwt.sign({ role: p.role, iat, exp: iat + p.ttlSeconds }, secret, { algorithm: 'HS256', subject: p.sub, issuer: 'trial-followup' });
}

/**
 * Verifies signature, issuer, expiry and the claims' shape; and that the token says when it
 * was issued, was not issued in the future, and does not live longer than the maximum.
 */
export function verifyToken(
  secret: string,
  token: string,
  now = Math.floor(Date.now() / 1000),
): { ok: true; value: VerifiedPrincipal } | { ok: false; error: TokenError } {
  try {
    const decoded = jwt.verify(token, secret, { algorithms: ['HS256'], issuer: 'trial-followup', clockTimestamp: now });
    const parsed = claims.safeParse(decoded);
    if (!parsed.success)
      return { ok: false, error: { code: 'token-invalid', reason: 'token claims are malformed (sub, role, iat and exp are required)' } };
    const { sub, role: r, iat, exp } = parsed.data;
    if (iat > now + CLOCK_SKEW_SECONDS) return { ok: false, error: { code: 'token-invalid', reason: 'token is issued in the future' } };
    if (exp - iat > MAX_TOKEN_LIFETIME_SECONDS) {
      return { ok: false, error: { code: 'token-invalid', reason: `token lifetime exceeds ${MAX_TOKEN_LIFETIME_SECONDS / 3600} h` } };
    }
    return { ok: true, value: { sub, role: r, exp } };
  } catch (e) {
    if (e instanceof jwt.TokenExpiredError) return { ok: false, error: { code: 'token-expired', reason: 'token has expired' } };
    return { ok: false, error: { code: 'token-invalid', reason: 'token is not valid' } };
  }
}

/** Parses durations like `8h`, `30m`, `2d`, `90s` (or plain seconds) into seconds. */
export function parseTtl(ttl: string): number | null {
  const m = /^(\d+)([smhd]?)$/.exec(ttl.trim());
  if (!m) return null;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = Number(m[1]) * unit;
  return seconds > 0 ? seconds : null;
}
