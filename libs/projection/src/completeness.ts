import type { Completeness } from '@trial/followup';
import type { Sql } from './rows';

/**
 * Records the registries whose completeness date moved: the current date per source and an
 * append-only history row (what `asOf` reads), at `now`. The live projector and replay both
 * write completeness through here. Sources absent from `moved` are left as they are.
 */
export async function saveCompleteness(tx: Sql, completeness: Completeness, moved: ReadonlyArray<keyof Completeness>, now: string): Promise<void> {
  for (const s of moved) {
    await tx.query(
      `insert into rm_completeness (source, complete_up_to, recorded_at) values ($1, $2, $3)
      on conflict (source) do update set complete_up_to = excluded.complete_up_to, recorded_at = excluded.recorded_at`,
      [s, completeness[s], now],
    );
    await tx.query(`insert into rm_completeness_history (source, complete_up_to, recorded_at) values ($1, $2, $3)`, [s, completeness[s], now]);
  }
}

/** The sources whose date in `next` differs from `held`. */
export function movedSources(held: Completeness, next: Completeness): Array<keyof Completeness> {
  return (Object.keys(next) as Array<keyof Completeness>).filter((s) => next[s] !== held[s]);
}
