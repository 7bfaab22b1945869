import { z } from 'zod';
import { deathWithdrawn, isRecord, registrySource, sex } from '@trial/contracts';
import type { PatientGuard } from './decider';
import type { FollowUp, FollowUpFlag } from './derive';
import type { Cnsr, EndReason } from './reasons';
import type { PatientState, RecordKey, RegistryFact } from './state';

// The shapes the projector stores as JSON (rm_patients.state/followup/guard, rm_patient_history.state),
// checked on the way back: a row this code cannot use is a StoredRowError (@trial/contracts storedRows),
// never a follow-up computed from a cast. Dates are checked for shape only: they were checked as
// real dates when their events were read. Fields added after rows were first written are optional
// or defaulted, so those rows read back (the upcast): underlyingCause, dateOfBirth, sex, strata and
// covariates (kept since the closed report's analyses).

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const values = z.record(z.string(), z.string());
const ref = { source: registrySource, recordId: z.string(), version: z.number() };

const fact: z.ZodType<RegistryFact> = z.discriminatedUnion('kind', [
  z.object({
    ...ref,
    kind: z.literal('death'),
    dateOfDeath: date,
    from: z.enum(['DeathLinked', 'DeathAmended']),
    underlyingCause: z.string().nullable().optional(),
  }),
  z.object({ ...ref, kind: z.literal('death-withdrawn'), reason: deathWithdrawn.shape.reason }),
  z.object({ ...ref, kind: z.literal('embarkation'), eventDate: date }),
  z.object({ ...ref, kind: z.literal('re-entry'), eventDate: date }),
  z.object({ ...ref, kind: z.literal('no-trace') }),
]);

const recordKey = z.custom<RecordKey>((k) => typeof k === 'string' && /^(ONS|NRS):/.test(k), 'must be SOURCE:recordId');

export const storedPatientState: z.ZodType<PatientState> = z.object({
  trialId: z.string().nullable(),
  patientId: z.string().nullable(),
  randomisation: z
    .object({
      eventId: z.string(),
      arm: z.string(),
      site: z.string(),
      randomisedOn: date,
      strata: values.optional(),
      covariates: values.optional(),
    })
    .nullable(),
  nhsNumber: z.string().nullable(),
  chiNumber: z.string().nullable(),
  dateOfBirth: date.nullable().optional(),
  sex: sex.nullable().optional(),
  seenAlive: z.array(date),
  withdrawnOn: date.nullable(),
  records: z.record(recordKey, fact),
  conflicts: z.array(recordKey),
});

const endReason: z.ZodType<EndReason> = z.enum(['death', 'registry-cutoff', 'embarked', 'withdrew', 'not-traced', 'data-cutoff']);
const cnsr: z.ZodType<Cnsr> = z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);
const flag: z.ZodType<FollowUpFlag> = z.enum([
  'ends-before-randomisation',
  'no-registry-identifier',
  'registry-completeness-unknown',
  'death-after-embarkation',
]);

/** What the trial-level read-out takes of a follow-up (readmodel's observationOf): the cheap check of the trial cache's reload. */
export const storedObservationFields = {
  patientId: z.string(),
  arm: z.string(),
  site: z.string(),
  randomisedOn: date,
  time: z.number(),
  status: z.union([z.literal(0), z.literal(1)]),
};

export const storedFollowUp: z.ZodType<FollowUp> = z.object({
  ...storedObservationFields,
  trialId: z.string(),
  sex: sex.nullable().default(null),
  ageAtRandomisation: z.number().nullable().default(null),
  strata: values.default({}),
  covariates: values.default({}),
  underlyingCause: z.string().nullable().default(null),
  endDate: date,
  analysisDate: date,
  reason: endReason,
  cnsr,
  registry: registrySource.nullable(),
  source: z.object({ domain: z.string(), variable: z.string() }),
  dates: z.object({
    deathOn: date.nullable(),
    registryCompleteUpTo: date.nullable(),
    lastKnownAlive: date,
    embarkedOn: date.nullable(),
    withdrawnOn: date.nullable(),
    dataCutoff: date.nullable(),
  }),
  flags: z.array(flag),
});

export const storedGuard: z.ZodType<PatientGuard> = z.object({ seq: z.number().nullable(), randomisation: z.string().nullable() });

const str = (x: unknown) => typeof x === 'string';
const strOrNull = (x: unknown) => x === null || typeof x === 'string';

/**
 * The per-batch check of a stored state (checkedRows): the fields the fold reads, by type only.
 * storedPatientState is the whole rule; this is what a batch can afford for every patient it
 * locks (bench/stored-rows.ts has both figures).
 */
export function patientStateProblem(s: unknown): string | null {
  if (!isRecord(s)) return 'state: must be an object';
  if (!strOrNull(s.trialId) || !strOrNull(s.patientId)) return 'state.trialId/patientId: must be text or null';
  if (s.randomisation !== null && !(isRecord(s.randomisation) && str(s.randomisation.arm) && str(s.randomisation.randomisedOn))) {
    return 'state.randomisation: must be a randomisation or null';
  }
  if (!strOrNull(s.nhsNumber) || !strOrNull(s.chiNumber) || !strOrNull(s.withdrawnOn)) {
    return 'state: identifiers and withdrawnOn must be text or null';
  }
  if (!Array.isArray(s.seenAlive) || !Array.isArray(s.conflicts)) return 'state.seenAlive/conflicts: must be lists';
  if (!isRecord(s.records)) return 'state.records: must be an object';
  return null;
}

/** The per-batch and reload check of a stored follow-up: what observationOf and the cohort diff read. */
export function followUpProblem(f: unknown): string | null {
  if (!isRecord(f)) return 'followup: must be an object';
  if (!str(f.patientId) || !str(f.arm) || !str(f.site) || !str(f.randomisedOn)) return 'followup: patientId, arm, site, randomisedOn must be text';
  if (typeof f.time !== 'number' || (f.status !== 0 && f.status !== 1)) return 'followup: time must be a number and status 0 or 1';
  return null;
}

export function guardProblem(g: unknown): string | null {
  if (!isRecord(g)) return 'guard: must be an object';
  if (!(g.seq === null || typeof g.seq === 'number') || !strOrNull(g.randomisation)) {
    return 'guard: seq must be a number or null, randomisation text or null';
  }
  return null;
}
