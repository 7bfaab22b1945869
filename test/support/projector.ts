import type { DataSource } from 'typeorm';
import { ReadModelProjector } from '@trial/projection';

/**
 * The projector as the integration tests drive it: its checkpoints under `consumer`, the clock
 * `now` (the wall clock unless given), and a failed snapshot flush thrown, so the test fails on it
 * rather than the flusher logging it and retrying.
 */
export function testProjector(ds: DataSource, consumer: string, now: () => string = () => new Date().toISOString()): ReadModelProjector {
  return new ReadModelProjector(
    ds,
    now,
    (e) => {
      throw e;
    },
    consumer,
  );
}
