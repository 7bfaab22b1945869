// Against the real Postgres: the API's look numbering across processes. Two
// data sources stand for two API processes: under the trial's look lock the second sees the
// first's reservation once it commits; without the lock, the key refuses look n twice.
import { DataSource } from 'typeorm';
import type { InterimLookTaken } from '@trial/contracts';
import { createDataSource, migrate } from '@trial/storage';
import { TEST_DATABASE_URL, uniqueId } from '../../../test/support';
import { looksTakenOrReserved, reserveLook, withLookLock } from './look-reservations';

describe('look reservations (two processes, one database)', () => {
  let a: DataSource;
  let b: DataSource;
  beforeAll(async () => {
    a = await createDataSource(TEST_DATABASE_URL, { poolSize: 2 }).initialize();
    await migrate(a);
    b = await createDataSource(TEST_DATABASE_URL, { poolSize: 2 }).initialize();
  });
  afterAll(async () => {
    await a?.destroy();
    await b?.destroy();
  });

  const look = (trialId: string, n: number, events: number, by: string): InterimLookTaken => ({
    v: 1,
    type: 'InterimLookTaken',
    eventId: `${trialId}:${by}:${n}`,
    trialId,
    look: n,
    asOf: '2026-01-01T00:00:00.000Z',
    dataCutoff: null,
    events,
    z: -1.2,
    takenBy: by,
    takenAt: '2026-01-01T00:00:01.000Z',
  });

  it('serialises two processes on the look lock: the second numbers its look after the first', async () => {
    const trialId = uniqueId('RESV');
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const order: string[] = [];
    const first = withLookLock(a, trialId, async (tx) => {
      const n = (await looksTakenOrReserved(tx, trialId)).length + 1;
      expect(await reserveLook(tx, look(trialId, n, 5, 'a'), '2026-01-01T00:00:01.000Z')).toBe(true);
      await held;
      order.push('a');
      return n;
    });
    await new Promise((r) => setTimeout(r, 100));
    const second = withLookLock(b, trialId, async (tx) => {
      order.push('b');
      const taken = await looksTakenOrReserved(tx, trialId);
      return taken.map((t) => [t.look, t.takenBy]);
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(order).toEqual([]); // b waits for a's lock
    release();
    expect(await first).toBe(1);
    expect(await second).toEqual([[1, 'a']]);
    expect(order).toEqual(['a', 'b']);
  });

  it('refuses a second reservation of look n by its key, and prefers the frozen look over a reservation', async () => {
    const trialId = uniqueId('RESV');
    expect(await reserveLook(a, look(trialId, 1, 5, 'a'), '2026-01-01T00:00:01.000Z')).toBe(true);
    expect(await reserveLook(b, look(trialId, 1, 5, 'b'), '2026-01-01T00:00:02.000Z')).toBe(false);
    const frozen = look(trialId, 1, 5, 'frozen');
    await a.query(
      `insert into rm_looks (trial_id, look, event, design, report, unavailable, recorded_at) values ($1, 1, $2, '{}', null, null, now())`,
      [trialId, JSON.stringify(frozen)],
    );
    expect(await reserveLook(b, look(trialId, 2, 7, 'b'), '2026-01-01T00:00:03.000Z')).toBe(true);
    expect((await looksTakenOrReserved(a, trialId)).map((t) => [t.look, t.takenBy])).toEqual([
      [1, 'frozen'],
      [2, 'b'],
    ]);
  });
});
