import { ExtractComplete, Result, describeIssues, extractComplete } from '@trial/contracts';

/** Why a `completeUpTo` cannot be claimed. The field is the option's name at every entry point. */
export interface CompletenessProblem {
  code: 'complete-up-to-after-extract' | 'complete-up-to-in-future' | 'invalid-extract-complete';
  field: 'completeUpTo';
  reason: string;
}

/**
 * The `extract-complete` an ingest may publish, or why not. Completeness only moves forward, so a
 * date after the extract was taken (or after today) would censor every patient of the registry
 * there for good (one upload with 2099-12-31 rewrote every trial). `today` is passed in:
 * library code reads no clock. The message is checked with the schema the linkage service decodes
 * with, so what ingest publishes the consumer accepts.
 */
export function extractCompleteFor(o: {
  source: 'ONS' | 'NRS';
  completeUpTo: string;
  extractedOn: string;
  today: string;
}): Result<ExtractComplete, CompletenessProblem> {
  const parsed = extractComplete.safeParse({
    v: 1,
    source: o.source,
    kind: 'extract-complete',
    completeUpTo: o.completeUpTo,
    extractedOn: o.extractedOn,
  });
  if (!parsed.success) return { ok: false, error: { code: 'invalid-extract-complete', field: 'completeUpTo', reason: describeIssues(parsed.error) } };
  if (o.completeUpTo > o.extractedOn) {
    return {
      ok: false,
      error: {
        code: 'complete-up-to-after-extract',
        field: 'completeUpTo',
        reason: `${o.completeUpTo} is after the extract date ${o.extractedOn}: a registry cannot be complete past the day it was extracted`,
      },
    };
  }
  if (o.completeUpTo > o.today) {
    return { ok: false, error: { code: 'complete-up-to-in-future', field: 'completeUpTo', reason: `${o.completeUpTo} is after today (${o.today})` } };
  }
  return { ok: true, value: parsed.data };
}
