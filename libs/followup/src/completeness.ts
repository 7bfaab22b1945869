import type { RegistryEvent, RegistrySource } from '@trial/contracts';
import { maxDate } from './dates';
import { assertNever } from './never';

/** Per registry, the date up to which every registration has been published. */
export type Completeness = Partial<Record<RegistrySource, string>>;

/**
 * Folds a registry event into the completeness map.
 * - `RegistryExtractCompleted` keeps the later date, so a redelivered or replayed older extract
 *   never moves a registry's completeness backwards.
 * - `RegistryCompletenessCorrected` sets the date, backwards too: the audited way to undo a
 *   wrong extract-complete (one 2099-12-31 rewrote every trial). Extracts after it move
 *   completeness forward again from there. Order therefore matters: callers fold in log order
 *   (the events of one registry share a key, hence a partition, on followup.outcomes).
 */
export function evolveCompleteness(c: Completeness, e: RegistryEvent): Completeness {
  switch (e.type) {
    case 'RegistryExtractCompleted': {
      const held = c[e.source];
      return { ...c, [e.source]: held === undefined ? e.completeUpTo : maxDate(held, e.completeUpTo) };
    }
    case 'RegistryCompletenessCorrected':
      return { ...c, [e.source]: e.completeUpTo };
    default:
      return assertNever(e);
  }
}
