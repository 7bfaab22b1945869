import { parseTtl, signToken, verifyToken } from './index';

describe('tokens', () => {
  const secret = 'a'.repeat(40);
  it('round-trips a role', () => {
    const t = signToken(secret, { sub: 'dsmb-chair', role: 'dsmb', ttlSeconds: 60 });
    expect(verifyToken(secret, t)).toEqual({ ok: true, value: { sub: 'dsmb-chair', role: 'dsmb' } });
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
