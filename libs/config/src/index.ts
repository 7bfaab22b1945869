import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { describeIssues } from '@trial/contracts';
import { ConfigError } from './error';
import { oidcSettings } from './oidc';
import { projectorConcurrency, projectorProfile } from './settings';

/**
 * Configuration from environment variables, validated once at start. Defaults work on a
 * development machine (Kafka on 127.0.0.1:9092, the PostgreSQL service on 127.0.0.1:5432).
 */
const port = z.coerce.number().int().min(1).max(65535);
const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  KAFKA_BROKERS: z
    .string()
    .regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'must be host:port[,host:port...]')
    .default('127.0.0.1:9092'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .default('postgres://postgres@127.0.0.1:5432/trial_followup'),
  /**
   * The schema owner's URL for the same database: migrations run as it, and it grants the
   * DATABASE_URL role its rights. Unset, migrations run as the DATABASE_URL role.
   */
  MIGRATION_DATABASE_URL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
  ),
  TOPIC_PREFIX: z.string().default(''),
  API_PORT: port.default(3000),
  INGEST_PORT: port.default(3001),
  LINKAGE_PORT: port.default(3002),
  PROJECTOR_PORT: port.default(3003),
  /** The address the services' HTTP ports bind to: loopback, unless a container must be reachable (0.0.0.0). */
  LISTEN_HOST: z
    .string()
    .regex(/^[0-9A-Za-z.:-]+$/, 'must be an address or host name')
    .default('127.0.0.1'),
  /**
   * A name for this process, sent back as `X-Instance-Id` on `/health`: a supervisor that starts
   * a service on a port can then tell its own process from another one that holds the port.
   */
  INSTANCE_ID: z
    .string()
    .regex(/^[0-9A-Za-z._:#-]{1,64}$/, 'must be 1-64 letters, digits or ._:#-')
    .optional(),
  PROJECTOR_CONCURRENCY: projectorConcurrency,
  PROJECTOR_PROFILE: projectorProfile,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** HMAC secret for bearer tokens; required in production, generated per machine in development. */
  AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** The ingest service's private upload spool (default `.infra/ingest-spool`); emptied at its start. */
  INGEST_SPOOL_DIR: z.string().min(1).optional(),
});
export type AppConfig = z.infer<typeof schema>;

/** The response header in which `/health` names the process (INSTANCE_ID). */
export const INSTANCE_HEADER = 'X-Instance-Id';

export { ConfigError } from './error';
export * from './settings';
export * from './oidc';

/** Parses the environment; throws a ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`invalid configuration: ${describeIssues(parsed.error)}`);
  if (parsed.data.MIGRATION_DATABASE_URL && !sameDatabase(parsed.data.MIGRATION_DATABASE_URL, parsed.data.DATABASE_URL)) {
    // Migrating one database and serving from another would leave the served one unmigrated.
    throw new ConfigError('invalid configuration: MIGRATION_DATABASE_URL: must name the same host, port and database as DATABASE_URL');
  }
  if (parsed.data.NODE_ENV === 'production') {
    if (!parsed.data.AUTH_SECRET) throw new ConfigError('invalid configuration: AUTH_SECRET: is required in production');
    const weak = weakSecret(parsed.data.AUTH_SECRET);
    if (weak) throw new ConfigError(`invalid configuration: AUTH_SECRET: ${weak}`);
  }
  oidcSettings(env); // validated at start with the rest; read where the guard is built
  return parsed.data;
}

function sameDatabase(a: string, b: string): boolean {
  const where = (u: string) => {
    const url = new URL(u);
    return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  };
  return where(a) === where(b);
}

/** The least estimated entropy, in bits, of a production signing secret (32 random hex digits give about 118). */
const MIN_SECRET_BITS = 100;

/**
 * Why a signing secret is too weak to sign production tokens, or null. Anyone who guesses it
 * can mint a dsmb token, so padding does not count: 32 spaces, one character repeated, or a
 * short word repeated to length are refused. The estimate is the secret's length times the
 * Shannon entropy of its own character frequencies: crude (it cannot see a dictionary word),
 * but it catches every low-variety secret, and `openssl rand -hex 32` passes it easily.
 * The message never quotes the secret.
 */
export function weakSecret(secret: string): string | null {
  const s = secret.trim();
  if (s.length < 32) return 'must be at least 32 characters, not counting surrounding whitespace';
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  if (counts.size < 8) return 'must use at least 8 distinct characters (use e.g. `openssl rand -hex 32`)';
  const n = [...s].length;
  let perChar = 0;
  for (const c of counts.values()) perChar -= (c / n) * Math.log2(c / n);
  if (perChar * n < MIN_SECRET_BITS) return `is too predictable (about ${Math.floor(perChar * n)} bits; at least ${MIN_SECRET_BITS} are needed)`;
  return null;
}

/** The repository root, found from a file's directory whether it runs from source or dist/. */
export function projectRoot(from = __dirname): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'trial-followup') return dir;
  }
  throw new Error(`cannot find the trial-followup root above ${from}`);
}

/** Where the generated development signing secret lives (see @trial/auth resolveSecret). */
export function devSecretFile(): string {
  return join(projectRoot(), '.infra', 'auth-secret');
}
