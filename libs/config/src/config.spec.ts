import { loadConfig, ConfigError } from './index';

describe('loadConfig', () => {
  it('has defaults that work on this machine', () => {
    const c = loadConfig({});
    expect(c.KAFKA_BROKERS).toBe('127.0.0.1:9092');
    expect(c.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/trial_followup');
    expect(c.API_PORT).toBe(3000);
  });
  it('names the bad variable', () => {
    expect(() => loadConfig({ KAFKA_BROKERS: 'nope', API_PORT: '99999' })).toThrow(
      /KAFKA_BROKERS: must be host:port.*API_PORT/,
    );
  });
  it('requires a secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
  });
});
