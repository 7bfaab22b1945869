import pino, { Logger } from 'pino';
import { Log } from '@trial/messaging';
import { safeRequest, scrubbingDestination } from './log-credentials';

/**
 * Structured JSON logs. Identifiers are personal data: these keys are censored wherever they
 * appear, so a stray object in a log line cannot leak a name or an NHS number.
 */
export const PERSONAL_KEYS = ['nhsNumber', 'chiNumber', 'dateOfBirth', 'familyName', 'givenNames', 'postcode', 'name'];

/** Credentials are censored the same way: a failed request's log line carries its headers (the bearer token). */
export const CREDENTIAL_KEYS = ['authorization', 'cookie', 'access_token', 'ticket'];

export function redactPaths(): string[] {
  return [...PERSONAL_KEYS, ...CREDENTIAL_KEYS].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
}

/**
 * The service's logger. Every line passes through scrubbingDestination on its way to `dest`
 * (stdout), so a credential is censored whatever object or message carried it.
 */
export function createLogger(service: string, level: string, dest: { write(line: string): unknown } = process.stdout): Logger {
  return pino(
    { level, base: { service }, redact: { paths: redactPaths(), censor: '[personal]' }, timestamp: pino.stdTimeFunctions.isoTime },
    scrubbingDestination(dest),
  );
}

/**
 * nestjs-pino's pinoHttp options. Every line logged while a request is handled carries the
 * request (its URL and headers) as a binding, at every level, so the request serializer is
 * where its credentials are removed; requests themselves are logged only at debug.
 */
export function httpLogging(logger: Logger, level: string) {
  return { logger, redact: redactPaths(), autoLogging: level === 'debug', serializers: { req: safeRequest } };
}

export function logFn(logger: Logger): Log {
  return (level, msg, fields) => logger[level](fields ?? {}, msg);
}
