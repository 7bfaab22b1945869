/**
 * A failure that retrying will not fix (bad data, a broken invariant). The consumer sends
 * the message to the DLQ with this reason and moves on.
 */
export class PermanentError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/**
 * Failures worth retrying: the database or broker went away, a serialization conflict, a
 * deadlock. Everything else is treated as a property of the message.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof PermanentError) return false;
  const e = err as { code?: string; name?: string; retriable?: boolean; message?: string };
  if (e?.retriable === true) return true;
  const pgTransient = ['40001', '40P01', '57P01', '57P02', '57P03', '53300', '08000', '08003', '08006', '08001', '08004'];
  if (e?.code && (pgTransient.includes(e.code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(e.code))) return true;
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect/i.test(e?.message ?? '');
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
