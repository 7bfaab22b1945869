import { z } from 'zod';
import type { InterimResult } from '@trial/survival';
import type { CohortSnapshot } from './cohort';
import type { ClosedFigures } from './closed';

// The read models' JSON as stored by @trial/projection (rm_readouts.snapshot's cohort, rm_looks'
// report and closed), checked on the way back with @trial/contracts storedValue/storedRows.

const counts = z.array(z.number());

/**
 * A cohort's sufficient statistics: per arm the distinct times with their deaths and censorings
 * (three lists of one length, which fromSnapshot walks together), accrual and person-days.
 */
export const storedCohortSnapshot: z.ZodType<CohortSnapshot> = z.object({
  arms: z.record(
    z.string(),
    z
      .object({ t: counts, d: counts, c: counts })
      .refine((a) => a.d.length === a.t.length && a.c.length === a.t.length, 't, d and c must be of one length'),
  ),
  accrual: z.array(z.object({ site: z.string(), month: z.string(), n: z.number() })),
  followUpDays: z.record(z.string(), z.number()),
});

/**
 * A frozen look's reports, by their top-level shape: they are what the look showed, given back
 * as they were (never recomputed or folded), so the check is that the parts a reader walks are there.
 */
export const storedInterimResult = z
  .looseObject({
    plannedEvents: z.number(),
    alpha: z.number(),
    sided: z.union([z.literal(1), z.literal(2)]),
    looks: z.array(z.looseObject({})),
    conditionalRejectionProbability: z.number().nullable(),
    final: z.looseObject({}).nullable(),
  })
  .transform((r) => r as unknown as InterimResult);

export const storedClosedFigures = z
  .looseObject({
    stratified: z.looseObject({}).nullable(),
    subgroups: z.array(z.looseObject({ variable: z.string(), levels: z.array(z.looseObject({})) })),
    endpoints: z.record(z.string(), z.looseObject({ competingRisks: z.looseObject({}).nullable() })),
  })
  .transform((c) => c as unknown as ClosedFigures);
