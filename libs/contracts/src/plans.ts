import { z } from 'zod';
import { prose, text } from './common';

/**
 * The parts of a trial's protocol that TrialRegistered v2 carries beside v1's efficacy design:
 * - the monitoring plan: futility spending, the hazard ratio the trial was powered
 *   for and the allocation ratio, which conditional power and the futility bound need;
 * - the analysis plan: stratification factors, prespecified subgroups and the
 *   endpoints beyond all-cause death.
 * A v1 event reads as `noPlans()`: no futility, no design HR, 1:1, and
 * no strata, subgroups or endpoints, so an old log replays to the read-out it always gave.
 */

/** Names of factors, subgroups and covariates: they become JSON keys, CSV headers and SAS names. */
const OBJECT_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype).map((n) => n.toLowerCase()));
export const variableName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,7}$/, 'must be a letter then up to 7 letters, digits or _ (a SAS variable name)')
  .refine((s) => !OBJECT_NAMES.has(s.toLowerCase()), 'reserved-name: object property names cannot name a variable');

/** One covariate or stratum value: a short label, one line. */
export const variableValue = text(64).refine((s) => s.trim().length > 0, 'is required');

export const futilityPlan = z
  .object({
    spending: z.enum(['none', 'obrien-fleming', 'pocock']),
    /** Type II error spent on the non-binding futility bound; null with `none`. */
    beta: z.number().gt(0).lt(1).nullable(),
  })
  .refine((f) => (f.spending === 'none') === (f.beta === null), { path: ['beta'], message: 'is given exactly when spending is not none' });
export type FutilityPlan = z.infer<typeof futilityPlan>;

/** An ICD-10 code as the registries write it: a letter, two digits, an optional fourth character (I21, I21.9, I219). */
export const icd10Code = z.string().regex(/^[A-Z][0-9]{2}(\.?[0-9A-Z]{1,2})?$/, 'must be an ICD-10 code such as I21 or I21.9');

/** Inclusive range of three-character categories: I00-I99 holds I21.9. */
export const icd10Range = z
  .object({ from: icd10Code, to: icd10Code })
  .refine((r) => r.from.slice(0, 3) <= r.to.slice(0, 3), { path: ['to'], message: 'must not come before from' });
export type Icd10Range = z.infer<typeof icd10Range>;

/** Whether an underlying cause falls in any of the ranges (compared on its three-character category). */
export function causeInRanges(cause: string | null | undefined, ranges: readonly Icd10Range[]): boolean {
  if (!cause) return false;
  const cat = cause.trim().toUpperCase().slice(0, 3);
  return ranges.some((r) => cat >= r.from.slice(0, 3) && cat <= r.to.slice(0, 3));
}

/** An endpoint beyond all-cause death (PARAMCD ACM): its ADaM PARAMCD, its name and the causes that count. */
export const endpoint = z.object({
  code: z
    .string()
    .regex(/^[A-Z][A-Z0-9]{0,7}$/, 'must be an ADaM PARAMCD: a capital letter then up to 7 capitals or digits')
    .refine((c) => c !== 'ACM', 'ACM is all-cause death, which every trial has'),
  name: prose(200).refine((s) => s.trim().length > 0, 'is required'),
  icd10: z.array(icd10Range).min(1),
});
export type Endpoint = z.infer<typeof endpoint>;

/**
 * A prespecified subgroup variable and where a patient's level comes from:
 * - `sex` and `site` from PatientRandomised;
 * - `stratum` from the patient's value of that stratification factor;
 * - `covariate` from PatientRandomised v2's covariates;
 * - `age` from the date of birth at randomisation, banded at `cuts` (e.g. [75]: `<75`, `>=75`).
 */
export const subgroup = z.discriminatedUnion('from', [
  z.object({ variable: variableName, from: z.literal('sex') }),
  z.object({ variable: variableName, from: z.literal('site') }),
  z.object({ variable: variableName, from: z.literal('stratum') }),
  z.object({ variable: variableName, from: z.literal('covariate') }),
  z.object({
    variable: variableName,
    from: z.literal('age'),
    cuts: z
      .array(z.number().int().min(1).max(130))
      .min(1)
      .refine((c) => c.every((x, i) => i === 0 || x > c[i - 1]), 'must increase'),
  }),
]);
export type Subgroup = z.infer<typeof subgroup>;

/** The age band of `age` years for increasing `cuts`: `<c0`, `c0-c1-1`, ..., `>=cn`. */
export function ageBand(age: number, cuts: readonly number[]): string {
  if (age < cuts[0]) return `<${cuts[0]}`;
  for (let i = 1; i < cuts.length; i++) if (age < cuts[i]) return `${cuts[i - 1]}-${cuts[i] - 1}`;
  return `>=${cuts[cuts.length - 1]}`;
}

/** Whole years from `born` to `on` (civil dates), as age at randomisation is counted. */
export function ageOn(born: string, on: string): number {
  const [by, bm, bd] = born.split('-').map(Number);
  const [y, m, d] = on.split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

export const monitoringPlan = {
  futility: futilityPlan,
  /** The hazard ratio (experimental vs reference) the trial was powered for; null if none was given. */
  designHazardRatio: z.number().gt(0).nullable(),
  /** Patients allocated to the experimental arm per patient on the reference arm (1 for 1:1). */
  allocationRatio: z.number().gt(0).max(100),
};

export const analysisPlan = {
  stratificationFactors: z.array(variableName).max(8),
  subgroups: z.array(subgroup).max(16),
  endpoints: z.array(endpoint).max(8),
};

export interface Plans {
  futility: FutilityPlan;
  designHazardRatio: number | null;
  allocationRatio: number;
  stratificationFactors: string[];
  subgroups: Subgroup[];
  endpoints: Endpoint[];
}

/** No plans beyond v1's: what a v1 TrialRegistered reads as (the upcaster's defaults), fresh each call. */
export function noPlans(): Plans {
  return {
    futility: { spending: 'none', beta: null },
    designHazardRatio: null,
    allocationRatio: 1,
    stratificationFactors: [],
    subgroups: [],
    endpoints: [],
  };
}

/** A patient's strata and covariates on PatientRandomised v2, keyed by variable name. */
export const variableValues = z.record(variableName, variableValue);
