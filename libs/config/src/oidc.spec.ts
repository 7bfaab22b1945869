import { ConfigError } from './error';
import { oidcSettings } from './oidc';

const base = { OIDC_ISSUER: 'https://idp.example.test', OIDC_AUDIENCE: 'api', OIDC_ROLE_MAP: 'g-dsmb=dsmb, g-mon=monitor' };

describe('oidcSettings', () => {
  it('is null without an issuer', () => {
    expect(oidcSettings({})).toBeNull();
    expect(oidcSettings({ OIDC_ISSUER: '' })).toBeNull();
  });

  it('parses the role map and defaults', () => {
    expect(oidcSettings({ ...base, OIDC_ROLE_CLAIM: 'groups' })).toEqual({
      issuer: base.OIDC_ISSUER,
      audience: 'api',
      clientId: null,
      scopes: 'openid',
      roleClaim: 'groups',
      roleMap: { 'g-dsmb': 'dsmb', 'g-mon': 'monitor' },
      clockSkewSeconds: 60,
      jwksCooldownSeconds: 30,
      jwksUri: null,
    });
  });

  it.each([
    [{ ...base, OIDC_AUDIENCE: undefined }, /OIDC_AUDIENCE: is required/],
    [{ ...base, OIDC_ROLE_MAP: undefined }, /OIDC_ROLE_MAP: is required/],
    [{ ...base, OIDC_ROLE_MAP: 'admins=operator' }, /OIDC_ROLE_MAP/],
    [{ ...base, OIDC_ROLE_MAP: 'nonsense' }, /OIDC_ROLE_MAP/],
    [{ ...base, OIDC_CLOCK_SKEW_SECONDS: '900' }, /OIDC_CLOCK_SKEW_SECONDS/],
    [{ ...base, OIDC_ISSUER: 'not a url' }, /OIDC_ISSUER/],
    [{ ...base, OIDC_CLIENT_ID: 'api' }, /not the dashboard's client id/],
    [{ ...base, OIDC_ISSUER: 'http://idp.example.test', NODE_ENV: 'production' }, /must be https in production/],
  ])('refuses %j', (env, message) => {
    expect(() => oidcSettings(env)).toThrow(ConfigError);
    expect(() => oidcSettings(env)).toThrow(message);
  });
});
