import type { DataSource } from 'typeorm';
import { ReadModelProjector } from '@trial/projection';

/**
 * The projector as the integration tests drive it: its checkpoints under `consumer`, the clock
 * `now` (the wall clock unless given), and a failed snapshot flush rethrown, so it reaches the
 * test (drain rejects, or jest sees the rejection) where the default handler would pass it unseen.
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
