import type { DataSource } from 'typeorm';
import { SnapshotFlusher } from './snapshot-flusher';
import { TrialCache } from './trial-cache';

// A failed flush (the database gone) is retried after libs/messaging's backoffMs from 100 ms,
// doubling to 5 s, not at once: a flusher whose database is down or closed must not spin.
// The trial is not cached, so the flush reloads it, and every statement fails. After
// HOT_LOOP statements the database stops answering: a flusher retrying at once would spin on
// microtasks and hang the test; this way it stops, and the counts below fail.
const HOT_LOOP = 500;
describe('SnapshotFlusher after a failed flush', () => {
  let failures: number;
  let statements: number;
  let flusher: SnapshotFlusher;

  beforeEach(() => {
    jest.useFakeTimers();
    failures = 0;
    statements = 0;
    const down = {
      query: () => {
        if (++statements > HOT_LOOP) return new Promise<never>(() => undefined);
        return Promise.reject(new Error('connection terminated'));
      },
    } as unknown as DataSource;
    flusher = new SnapshotFlusher(down, new TrialCache(), () => failures++);
  });

  afterEach(() => {
    flusher.stop();
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  /** The failures counted once `ms` more have passed (the promises in between settled). */
  async function after(ms: number): Promise<number> {
    await jest.advanceTimersByTimeAsync(ms);
    return failures;
  }

  it('waits 100 ms, then twice as long each time, up to 5 s (jitter at its top)', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(1);
    flusher.changed(['T1']);
    expect(await after(0)).toBe(1);
    let seen = 1;
    for (const wait of [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]) {
      expect(await after(wait - 1)).toBe(seen);
      expect(await after(1)).toBe(++seen);
    }
    // One statement per try: the trial stays dirty and is tried again, nothing else.
    expect(statements).toBe(seen);
  });

  it('draws each pause from the lower half of the ceiling too (jitter at its bottom: 50 ms first)', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    flusher.changed(['T1']);
    expect(await after(0)).toBe(1);
    expect(await after(49)).toBe(1);
    expect(await after(1)).toBe(2);
    expect(await after(99)).toBe(2);
    expect(await after(1)).toBe(3);
  });

  it('never retries without a pause, however long the database stays down', async () => {
    flusher.changed(['T1']);
    // 60 s of a dead database: at most one try per 50 ms at first, then one per 2.5 s or more.
    expect(await after(60_000)).toBeLessThan(35);
    expect(failures).toBeGreaterThan(5);
  });

  it('stop() cancels the pending retry: nothing more is tried and no timer is left', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(1);
    flusher.changed(['T1']);
    expect(await after(0)).toBe(1);
    expect(jest.getTimerCount()).toBe(1);
    flusher.stop();
    expect(jest.getTimerCount()).toBe(0);
    expect(await after(60_000)).toBe(1);
    flusher.changed(['T2']);
    expect(await after(60_000)).toBe(1);
  });
});
