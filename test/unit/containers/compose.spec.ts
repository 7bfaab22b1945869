import Ajv from 'ajv';
import draft7 from 'ajv/dist/refs/json-schema-draft-07.json';
import { loadConfig } from '@trial/config';
import { interpolate, loadCompose, rawCompose, read, SERVICES } from './compose-file';

// docker-compose.yml checked without a Docker engine (none runs where this was written): against
// the Compose Specification's JSON schema (infra/compose-spec.schema.json, vendored from
// github.com/compose-spec/compose-spec, schema/compose-spec.json, Apache-2.0), then the
// cross-references the schema cannot see.
const env = { AUTH_SECRET: '5f0c2a9e7b1d4c3a8e6f0b2d9c7a1e4f9d8c7b6a' };
const compose = loadCompose(env);
const services = compose.services;
const urlRole = (u: string) => decodeURIComponent(new URL(u).username);
const urlHost = (u: string) => new URL(u).hostname;
const envOf = (name: string) => Object.fromEntries(Object.entries(services[name].environment ?? {}).map(([k, v]) => [k, String(v)]));

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    // The schema names draft-07 by its https address; Ajv knows draft-07 by the http one.
    ajv.addMetaSchema({ ...draft7, $id: 'https://json-schema.org/draft-07/schema' });
    const validate = ajv.compile(JSON.parse(read('infra/compose-spec.schema.json')) as object);
    const ok = validate(compose);
    expect(ajv.errorsText(validate.errors)).toBe('No errors');
    expect(ok).toBe(true);
  });

  it('the schema check is not vacuous: it refuses a misspelt key and a condition Compose does not know', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addMetaSchema({ ...draft7, $id: 'https://json-schema.org/draft-07/schema' });
    const validate = ajv.compile(JSON.parse(read('infra/compose-spec.schema.json')) as object);
    const api = services.api;
    expect(validate({ services: { ...services, api: { ...api, depends_on: { kafka: { condition: 'service_ready' } } } } })).toBe(false);
    expect(validate({ services: { ...services, api: { ...api, helthcheck: api.healthcheck } } })).toBe(false);
  });

  it('refuses to start without AUTH_SECRET, as `docker compose config` would', () => {
    expect(() => loadCompose({})).toThrow(/AUTH_SECRET/);
    expect(interpolate('a$${B}${C:-d}${E-f}', { E: '' })).toBe('a${B}d');
  });

  it('runs the broker (KRaft), Postgres, the one-shot migration and the four services', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'ingest', 'kafka', 'linkage', 'migrate', 'postgres', 'projector']);
    expect(services.kafka.image).toMatch(/^apache\/kafka:\d+\.\d+\.\d+$/);
    expect(envOf('kafka').KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(Object.keys(envOf('kafka')).some((k) => /ZOOKEEPER/.test(k))).toBe(false);
    expect(services.postgres.image).toMatch(/^postgres:\d+$/);
    for (const s of [...SERVICES, 'migrate']) expect(services[s].image).toBe(services.migrate.image);
  });

  it('names only services that exist in depends_on, and waits on health and on the migration', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [target, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect([name, target, target in services]).toEqual([name, target, true]);
        if (condition === 'service_healthy') expect([target, services[target].healthcheck?.test]).toEqual([target, expect.anything()]);
        if (condition === 'service_completed_successfully') expect(services[target].restart).toBe('no');
      }
    }
    for (const s of SERVICES) {
      expect(services[s].depends_on).toEqual({
        kafka: { condition: 'service_healthy' },
        postgres: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
    }
  });

  it('gives each service a health check of its own /health, and the migration none', () => {
    for (const s of ['kafka', 'postgres', ...SERVICES]) {
      expect([s, services[s].healthcheck?.disable ?? false, Boolean(services[s].healthcheck?.test)]).toEqual([s, false, true]);
    }
    for (const s of SERVICES) {
      expect(services[s].healthcheck?.test).toEqual(['CMD', 'node', 'bin/healthcheck.js']);
      // bin/healthcheck.js probes the port of SERVICE: the service the command starts.
      expect([envOf(s).SERVICE, services[s].command]).toEqual([s, [s]]);
    }
    expect(read('bin/healthcheck.js')).toContain('/health');
    expect(services.migrate.healthcheck).toEqual({ disable: true });
    // Postgres is asked over TCP: during its init scripts it answers on its socket alone.
    expect(services.postgres.healthcheck?.test).toEqual(expect.arrayContaining(['pg_isready', '-h', '127.0.0.1']));
    expect(services.migrate.command).toEqual(['migrate']);
  });

  it('configures each service so that libs/config accepts it in production, as the app role', () => {
    for (const s of SERVICES) {
      const e = envOf(s);
      const config = loadConfig(e);
      expect([s, config.NODE_ENV, config.LISTEN_HOST]).toEqual([s, 'production', '0.0.0.0']);
      expect(
        config.KAFKA_BROKERS.split(',')
          .map((b) => b.split(':')[0])
          .every((h) => h in services),
      ).toBe(true);
      expect(urlHost(config.DATABASE_URL)).toBe('postgres');
      expect(urlRole(config.DATABASE_URL)).toBe(envOf('postgres').PG_APP_ROLE);
      // The services never hold the owner's URL: the migrate service ran the migrations before them.
      expect(e.MIGRATION_DATABASE_URL).toBeUndefined();
    }
    const m = loadConfig(envOf('migrate'));
    expect(urlRole(m.MIGRATION_DATABASE_URL as string)).toBe(envOf('postgres').PG_OWNER_ROLE);
    expect(urlRole(m.DATABASE_URL)).toBe(envOf('postgres').PG_APP_ROLE);
  });

  it('uses the role names of scripts/infra.sh, and its init script makes them', () => {
    const infra = read('scripts/infra.sh');
    expect(infra).toContain(`PG_OWNER_ROLE="\${PG_OWNER_ROLE:-${envOf('postgres').PG_OWNER_ROLE}}"`);
    expect(infra).toContain(`PG_APP_ROLE="\${PG_APP_ROLE:-${envOf('postgres').PG_APP_ROLE}}"`);
    const mount = (services.postgres.volumes ?? []).find((v) => v.includes('docker-entrypoint-initdb.d'));
    expect(mount).toBeDefined();
    const init = read((mount as string).split(':')[0].replace(/^\.\//, ''));
    const made = ['create role :"owner"', 'create role :"app"', 'create database :"db" owner :"owner"', 'grant connect'];
    for (const must of made) expect(init).toContain(must);
  });

  it('hard-codes no secret: each is required, or a development default named dev-only-*', () => {
    const raw = rawCompose();
    const secretish = /PASSWORD|SECRET|TOKEN|_KEY$/;
    const allowed = /^\$\{[A-Z_]+(:\?[^}]+|:-dev-only-[a-z-]+)\}$/;
    for (const [name, s] of Object.entries(raw.services)) {
      for (const [k, v] of Object.entries(s.environment ?? {})) {
        if (secretish.test(k)) expect([name, k, allowed.test(String(v))]).toEqual([name, k, true]);
        // A password inside a URL: postgres://role:<password>@host.
        const inUrl = /^[a-z]+:\/\/[^:/@]+:([^@]+)@/.exec(String(v));
        if (inUrl) expect([name, k, allowed.test(inUrl[1])]).toEqual([name, k, true]);
      }
    }
    expect(read('docker-compose.yml')).not.toMatch(/POSTGRES_HOST_AUTH_METHOD:\s*trust/);
  });

  it('publishes ports on the loopback only', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const p of s.ports ?? []) expect([name, p]).toEqual([name, expect.stringMatching(/^127\.0\.0\.1:/)]);
    }
  });
});
