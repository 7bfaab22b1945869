import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { describeIssues } from '@trial/contracts';

/**
 * Configuration from environment variables, validated once at start. Defaults work on a
 * development machine (Kafka on 127.0.0.1:9092, the PostgreSQL service on 127.0.0.1:5432).
 */
const port = z.coerce.number().int().min(1).max(65535);
const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  KAFKA_BROKERS: z.string().regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'must be host:port[,host:port...]').default('127.0.0.1:9092'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').default('postgres://postgres@127.0.0.1:5432/trial_followup'),
  TOPIC_PREFIX: z.string().default(''),
  API_PORT: port.default(3000),
  INGEST_PORT: port.default(3001),
  LINKAGE_PORT: port.default(3002),
  PROJECTOR_PORT: port.default(3003),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** HMAC secret for bearer tokens; required in production, generated per machine in development. */
  AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** The ingest service's private upload spool (default `.infra/ingest-spool`); emptied at its start. */
  INGEST_SPOOL_DIR: z.string().min(1).optional(),
});
export type AppConfig = z.infer<typeof schema>;

export class ConfigError extends Error {
  readonly code = 'invalid-config';
}

/** Parses the environment; throws a ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`invalid configuration: ${describeIssues(parsed.error)}`);
  if (parsed.data.NODE_ENV === 'production' && !parsed.data.AUTH_SECRET) {
    throw new ConfigError('invalid configuration: AUTH_SECRET: is required in production');
  }
  return parsed.data;
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
