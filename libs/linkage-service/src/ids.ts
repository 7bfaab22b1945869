import { deterministicId } from '@trial/linkage';

export { deterministicId };

/** The review id of a record version in a trial: a re-decision of the same version keeps it. */
export function reviewIdOf(scope: string, source: string, recordId: string, version: number, trialId: string): string {
  return `rv-${deterministicId('review', scope, source, recordId, version, trialId).slice(0, 23)}`;
}
