import { CodedError, isCodedError } from '@trial/contracts';

/** Why a message was refused for good: its dead letter's `dlq-code`. */
export type PermanentCode =
  // The follow-up decider's refusals (@trial/followup RefusalCode), by the projector.
  | 'out-of-order'
  | 'version-regressed'
  | 'conflicting-randomisation'
  // The projector: an event id already applied with other content.
  | 'event-id-reused'
  // The linkage service.
  | 'unknown-patient'
  | 'version-reused'
  | 'unknown-review'
  | 'complete-up-to-after-extract'
  | 'complete-up-to-in-future';

/**
 * A failure that retrying will not fix because it belongs to the message (bad data, a
 * refusal the domain makes on purpose). It is the only handler failure that may send a
 * message to the DLQ; the consumer then moves on. One of the CodedError family; a handler
 * outside this repository's services (a test's) may name its own code.
 */
export class PermanentError<C extends string = PermanentCode> extends CodedError<C> {}

/** Whether `e` is a PermanentError; with `codes`, one whose code is among them. */
export function isPermanentError<C extends string>(e: unknown, codes?: readonly C[]): e is PermanentError<C> {
  return e instanceof PermanentError && isCodedError(e, codes);
}

/**
 * What a failure means for the message that met it. `permanent`: the message's own fault, it
 * may be dead-lettered. `environmental`: the disk, a connection, the broker, a timeout or
 * anything we do not recognise; the message is fine and is retried for as long as it takes.
 * `code` is safe to show on /health and in logs: a class or code, never the error's text.
 */
export type Failure = { kind: 'permanent'; code: string } | { kind: 'environmental'; code: string };

/** SQLSTATE classes we name in reasons (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
const PG_CLASSES: Record<string, string> = {
  '08': 'connection exception',
  '40': 'transaction rollback',
  '53': 'insufficient resources',
  '57': 'operator intervention',
  '58': 'system error',
};
const PG_CODES: Record<string, string> = {
  '40001': 'serialization failure',
  '40P01': 'deadlock detected',
  '53100': 'disk full',
  '53200': 'out of memory',
  '53300': 'too many connections',
  '57014': 'query canceled',
  '57P01': 'admin shutdown',
  '57P02': 'crash shutdown',
  '57P03': 'cannot connect now',
};

/**
 * The default is inverted on purpose: only a PermanentError is the message's fault. A plain
 * Error, a TypeError, a Postgres or kafkajs error, a timeout: all environmental. Treating an
 * unknown failure as the message's once dead-lettered deaths while the disk was full; the
 * price of the other mistake is a consumer that waits, says so on /health, and loses nothing.
 */
export function classify(err: unknown): Failure {
  if (err instanceof PermanentError) return { kind: 'permanent', code: err.code };
  return { kind: 'environmental', code: failureCode(err) };
}

/** True unless the failure is provably the message's (see classify). */
export function isTransient(err: unknown): boolean {
  return classify(err).kind === 'environmental';
}

/** A short description without the error's message (which may quote data). */
export function failureCode(err: unknown): string {
  if (err === null || typeof err !== 'object') return typeof err;
  const e = err as { code?: unknown; name?: unknown; type?: unknown; severity?: unknown; driverError?: unknown };
  const name = typeof e.name === 'string' && /^[A-Za-z][\w.]{0,60}$/.test(e.name) ? e.name : 'Error';
  const code = typeof e.code === 'string' ? e.code : null;
  // A SQLSTATE is five characters; EPIPE is too, hence the other signs of a Postgres error.
  if (code && isSqlState(code) && (typeof e.severity === 'string' || e.driverError !== undefined || /^[0-9]/.test(code))) {
    const what = PG_CODES[code] ?? PG_CLASSES[code.slice(0, 2)];
    return `postgres ${code}${what ? ` (${what})` : ''}`;
  }
  if (name.startsWith('KafkaJS')) {
    const type = typeof e.type === 'string' && /^[A-Z_]{1,60}$/.test(e.type) ? ` ${e.type}` : '';
    return `kafka ${name}${type}`;
  }
  if (code && /^E[A-Z]{2,20}$/.test(code)) return `${name} ${code}`;
  return name;
}

function isSqlState(code: string): boolean {
  return /^[0-9A-Z]{5}$/.test(code);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Capped exponential backoff with jitter: attempt 0 waits about `initialMs`, then twice as
 * long each time up to `maxMs`; the wait is drawn from [half, all] of that so consumers that
 * failed together do not retry together. `random` is passed in (Math.random in production).
 */
export function backoffMs(attempt: number, opts: { initialMs: number; maxMs: number }, random: () => number): number {
  const ceiling = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
