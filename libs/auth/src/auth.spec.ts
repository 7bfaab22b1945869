import jwt from 'jsonwebtoken';
import { MAX_TOKEN_LIFETIME_SECONDS, parseTtl, signToken, verifyToken } from './index';

describe('tokens', () => {
  const secret = 'a'.repeat(40);
  it('round-trips a role', () => {
    const t = signToken(secret, { sub: 'dsmb-chair', role: 'dsmb', ttlSeconds: 60 });
    expect(verifyToken(secret, t)).toEqual({ ok: true, value: { sub: 'dsmb-chair', role: 'dsmb', exp: expect.any(Number) } });
  });
  // Every one of these was accepted before.
  it('refuses a token living longer than the maximum, one issued in the future, and one without exp or iat', () => {
    const now = Math.floor(Date.now() / 1000);
    const centuries = signToken(secret, { sub: 'd', role: 'dsmb', ttlSeconds: 300 * 365 * 86400 });
    expect(verifyToken(secret, centuries)).toEqual({ ok: false, error: { code: 'token-invalid', reason: 'token lifetime exceeds 12 h' } });
    expect(verifyToken(secret, signToken(secret, { sub: 'd', role: 'dsmb', ttlSeconds: MAX_TOKEN_LIFETIME_SECONDS })).ok).toBe(true);
    expect(verifyToken(secret, signToken(secret, { sub: 'd', role: 'dsmb', ttlSeconds: MAX_TOKEN_LIFETIME_SECONDS + 1 })).ok).toBe(false);
    const future = signToken(secret, { sub: 'd', role: 'dsmb', ttlSeconds: 600, now: now + 3600 });
    expect(verifyToken(secret, future)).toEqual({ ok: false, error: { code: 'token-invalid', reason: 'token is issued in the future' } });
    // A few seconds of skew between hosts is allowed.
    expect(verifyToken(secret, signToken(secret, { sub: 'd', role: 'dsmb', ttlSeconds: 600, now: now + 5 })).ok).toBe(true);
    const noExp = jwt.sign({ role: 'dsmb' }, secret, { algorithm: 'HS256', subject: 'd', issuer: 'trial-followup' });
    expect(verifyToken(secret, noExp).ok).toBe(false);
    const noIat = jwt.sign({ role: 'dsmb', exp: now + 60 }, secret, {
      algorithm: 'HS256',
      subject: 'd',
      issuer: 'trial-followup',
      noTimestamp: true,
    });
    expect(verifyToken(secret, noIat).ok).toBe(false);
  });
  it('rejects another secret, a tampered token and an expired one', () => {
    const t = signToken(secret, { sub: 'm', role: 'monitor', ttlSeconds: 60 });
    expect(verifyToken('b'.repeat(40), t).ok).toBe(false);
    const [h, p, s] = t.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), role: 'dsmb' })).toString('base64url');
    expect(verifyToken(secret, `${h}.${forged}.${s}`)).toEqual({ ok: false, error: { code: 'token-invalid', reason: 'token is not valid' } });
    const old = signToken(secret, { sub: 'm', role: 'monitor', ttlSeconds: -10 });
    expect(verifyToken(secret, old)).toEqual({ ok: false, error: { code: 'token-expired', reason: 'token has expired' } });
  });
  it('parses ttls', () => {
    expect(parseTtl('8h')).toBe(28800);
    expect(parseTtl('30m')).toBe(1800);
    expect(parseTtl('90')).toBe(90);
    expect(parseTtl('soon')).toBeNull();
  });
});
