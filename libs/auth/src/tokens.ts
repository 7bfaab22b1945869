import jwt from 'jsonwebtoken';
import { z } from 'zod';

/**
 * DESIGN.md's roles: who may publish, who sees the blinded and who the unblinded read-out; and
 * `registry-admin`, the only one who may correct a registry's completeness (audited), kept apart
 * from `ingest` so that a feed's credentials cannot move completeness backwards.
 */
export const roles = ['ingest', 'monitor', 'dsmb', 'reviewer', 'registry-admin'] as const;
export const role = z.enum(roles);
export type Role = z.infer<typeof role>;

export interface Principal {
  sub: string;
  role: Role;
}

const claims = z.object({ sub: z.string().min(1), role, exp: z.number() });

export type TokenError = { code: 'token-invalid' | 'token-expired'; reason: string };

/** Signs an HS256 bearer token carrying the role; `ttlSeconds` bounds how long it is accepted. */
export function signToken(secret: string, p: Principal & { ttlSeconds: number }): string {
  return jwt.sign({ role: p.role }, secret, { algorithm: 'HS256', subject: p.sub, expiresIn: p.ttlSeconds, issuer: 'trial-followup' });
}

/** Verifies signature, issuer, expiry and the claims' shape. */
export function verifyToken(secret: string, token: string): { ok: true; value: Principal } | { ok: false; error: TokenError } {
  try {
    const decoded = jwt.verify(token, secret, { algorithms: ['HS256'], issuer: 'trial-followup' });
    const parsed = claims.safeParse(decoded);
    if (!parsed.success) return { ok: false, error: { code: 'token-invalid', reason: 'token claims are malformed' } };
    return { ok: true, value: { sub: parsed.data.sub, role: parsed.data.role } };
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
