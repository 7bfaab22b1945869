import { loadConfig, ConfigError } from './index';

describe('loadConfig', () => {
  it('has defaults that work on this machine', () => {
    const c = loadConfig({});
    expect(c.KAFKA_BROKERS).toBe('127.0.0.1:9092');
    expect(c.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/trial_followup');
    expect(c.API_PORT).toBe(3000);
  });
  it('names the bad variable', () => {
    expect(() => loadConfig({ KAFKA_BROKERS: 'nope', API_PORT: '99999' })).toThrow(/KAFKA_BROKERS: must be host:port.*API_PORT/);
  });
  it('takes an instance name for /health, and refuses one that could not be a header value', () => {
    expect(loadConfig({}).INSTANCE_ID).toBeUndefined();
    expect(loadConfig({ INSTANCE_ID: 'linkage#2-0f3a9c' }).INSTANCE_ID).toBe('linkage#2-0f3a9c');
    for (const bad of ['', 'two words', 'x\r\nSet-Cookie: a=b', 'x'.repeat(65)]) {
      expect(() => loadConfig({ INSTANCE_ID: bad })).toThrow(/INSTANCE_ID: must be 1-64 letters, digits or \._:#-/);
    }
  });
  it('requires a secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
  });
  // 32 spaces were accepted as a production signing secret.
  it('refuses a weak secret in production, without quoting it', () => {
    for (const weak of [' '.repeat(32), 'a'.repeat(64), 'ab'.repeat(20), 'password'.repeat(4), ` ${'x1'.repeat(8)}                `]) {
      expect(() => loadConfig({ NODE_ENV: 'production', AUTH_SECRET: weak })).toThrow(/AUTH_SECRET: /);
      try {
        loadConfig({ NODE_ENV: 'production', AUTH_SECRET: weak });
      } catch (e) {
        expect((e as Error).message).not.toContain(weak.trim() || '  ');
      }
    }
    expect(loadConfig({ NODE_ENV: 'production', AUTH_SECRET: '5f0c2a9e7b1d4c3a8e6f0b2d9c7a1e4f' }).AUTH_SECRET).toHaveLength(32);
    // Outside production the tests' readable secrets stay usable.
    expect(loadConfig({ NODE_ENV: 'test', AUTH_SECRET: 'a'.repeat(40) }).AUTH_SECRET).toHaveLength(40);
  });
  it('takes an owner URL for migrations only for the same database', () => {
    const app = 'postgres://trial_followup_app@127.0.0.1:5432/trial_followup';
    expect(
      loadConfig({ DATABASE_URL: app, MIGRATION_DATABASE_URL: 'postgres://trial_followup_owner@127.0.0.1/trial_followup' }).MIGRATION_DATABASE_URL,
    ).toBeDefined();
    expect(loadConfig({ DATABASE_URL: app, MIGRATION_DATABASE_URL: '' }).MIGRATION_DATABASE_URL).toBeUndefined();
    expect(() => loadConfig({ DATABASE_URL: app, MIGRATION_DATABASE_URL: 'postgres://trial_followup_owner@127.0.0.1:5432/other' })).toThrow(
      /MIGRATION_DATABASE_URL: must name the same/,
    );
  });
});
