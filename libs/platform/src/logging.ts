import pino, { Logger } from 'pino';
import { Log } from '@trial/messaging';

/**
 * Structured JSON logs. Identifiers are personal data: these keys are censored wherever they
 * appear, so a stray object in a log line cannot leak a name or an NHS number.
 */
export const PERSONAL_KEYS = ['nhsNumber', 'chiNumber', 'dateOfBirth', 'familyName', 'givenNames', 'postcode', 'name'];

/** Credentials are censored the same way: a failed request's log line carries its headers (the bearer token). */
export const CREDENTIAL_KEYS = ['authorization', 'cookie', 'access_token'];

export function redactPaths(): string[] {
  return [...PERSONAL_KEYS, ...CREDENTIAL_KEYS].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
}

export function createLogger(service: string, level: string): Logger {
  return pino({ level, base: { service }, redact: { paths: redactPaths(), censor: '[personal]' }, timestamp: pino.stdTimeFunctions.isoTime });
}

export function logFn(logger: Logger): Log {
  return (level, msg, fields) => logger[level](fields ?? {}, msg);
}
