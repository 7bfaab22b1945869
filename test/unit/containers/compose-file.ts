import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** The repository root, from test/unit/containers. */
export const root = join(__dirname, '../../..');
export const read = (file: string) => readFileSync(join(root, file), 'utf8');

/**
 * Compose's interpolation (compose-spec, "Interpolation"), enough for our file: `$$`, `${VAR}`,
 * `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}` and `${VAR?error}`. A required variable
 * missing from `env` throws with its message, as `docker compose config` fails.
 */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, name: string | undefined, colon: string, op: string, arg: string, bare: string | undefined) => {
      if (whole === '$$') return '$';
      const key = (name ?? bare) as string;
      const value = env[key];
      const unset = value === undefined || (colon === ':' && value === '');
      if (!op || !unset) return value ?? '';
      if (op === '-') return arg;
      throw new Error(`required variable ${key} is missing: ${arg}`);
    },
  );
}

export type Healthcheck = { test?: string[] | string; disable?: boolean; interval?: string; start_period?: string };
export type Service = {
  image?: string;
  build?: unknown;
  command?: string[];
  restart?: string;
  ports?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: Healthcheck;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
};
export type ComposeFile = { services: Record<string, Service>; volumes?: Record<string, unknown> };

/** docker-compose.yml parsed with YAML merge keys (`<<`), interpolated from `env` first, as Compose does. */
export function loadCompose(env: Record<string, string | undefined>): ComposeFile {
  return parse(interpolate(read('docker-compose.yml'), env), { merge: true }) as ComposeFile;
}

/** The file as written, merge keys resolved but nothing interpolated: where the defaults are read. */
export function rawCompose(): ComposeFile {
  return parse(read('docker-compose.yml'), { merge: true }) as ComposeFile;
}

/** The four long-running services of apps/ (the CLI aside). */
export const SERVICES = ['api', 'ingest', 'linkage', 'projector'] as const;
