import type { RegistryExtractCompleted, RegistrySource } from '@trial/contracts';
import { maxDate } from './dates';

/** Per registry, the date up to which every registration has been published. */
export type Completeness = Partial<Record<RegistrySource, string>>;

/**
 * Folds `RegistryExtractCompleted` into the completeness map. Keeps the later date so that
 * a redelivered or replayed older extract never moves a registry's completeness backwards;
 * a registry that really needed to retract completeness would need a new event type.
 */
export function evolveCompleteness(c: Completeness, e: RegistryExtractCompleted): Completeness {
  const held = c[e.source];
  return { ...c, [e.source]: held === undefined ? e.completeUpTo : maxDate(held, e.completeUpTo) };
}
