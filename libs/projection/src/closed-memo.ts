import type { ClosedAnalysis, ReadoutQuery } from '@trial/readmodel';

/**
 * The closed-report figures of the newest trial versions read, so that every reader of one
 * version (the dsmb's and the monitor's pages re-read the read-out at each push) shares one
 * computation instead of repeating it. Keyed by the snapshot's version and recorded instant
 * (a rebuild that reaches the same version number again has another instant) and the query;
 * held per process, at most MAX entries, the least recently read evicted first.
 */
const MAX = 16;
const memo = new Map<string, ClosedAnalysis>();

export async function closedFor(
  key: { trialId: string; version: string; recordedAt: string; query: ReadoutQuery },
  compute: () => ClosedAnalysis | Promise<ClosedAnalysis>,
): Promise<ClosedAnalysis> {
  const k = JSON.stringify([key.trialId, key.version, key.recordedAt, key.query]);
  const hit = memo.get(k);
  if (hit !== undefined) {
    memo.delete(k);
    memo.set(k, hit);
    return hit;
  }
  const value = await compute();
  memo.set(k, value);
  if (memo.size > MAX) memo.delete(memo.keys().next().value as string);
  return value;
}
