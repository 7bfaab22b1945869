import { z } from 'zod';
import { enrollmentEvent, interimLookTaken, outcomeEvent, storedDesign, type TrialRegistered } from '@trial/contracts';
import {
  followUpProblem,
  guardProblem,
  isFollowupEvent,
  patientStateProblem,
  storedFollowUp,
  storedPatientState,
  type FollowupEvent,
} from '@trial/followup';
import { storedClosedFigures, storedCohortSnapshot, storedInterimResult } from '@trial/readmodel';
import type { TrialSnapshot } from './rows';

// The projector's rows as read back, one schema each (the JSON inside them is the owning
// library's: @trial/followup's state and follow-up, @trial/readmodel's cohort and reports,
// @trial/contracts' design and events). Checked with @trial/contracts storedRows (zod) or, on the
// per-batch path, checkedRows (by type, a fraction of the cost: bench/stored-rows.ts).

const completeness = z.partialRecord(z.enum(['ONS', 'NRS']), z.string());
/** A snapshot's design: null, or upcast and checked as TrialRegistered (storedDesign). */
const design = z.unknown().transform((d): TrialRegistered | null => storedDesign(d, { table: 'rm_readouts', column: 'snapshot.design' }));

/** rm_readouts.snapshot: what the projector's flusher wrote of a trial's cohort. */
export const storedTrialSnapshot: z.ZodType<TrialSnapshot> = z.object({
  trialId: z.string(),
  design,
  eventsApplied: z.number(),
  dataComplete: completeness,
  cohort: storedCohortSnapshot,
});

/** rm_patients as a batch loads it, by type (storedPatientState and storedFollowUp are the whole rules). */
export function patientRowProblem(r: Record<string, unknown>): string | null {
  if (typeof r.trial_id !== 'string' || typeof r.patient_id !== 'string') return 'trial_id, patient_id: must be text';
  return (
    patientStateProblem(r.state) ?? (r.followup === null ? null : followUpProblem(r.followup)) ?? (r.guard === null ? null : guardProblem(r.guard))
  );
}

/** A follow-up column on its own (the trial cache's reload, the cohort): what the cohort reads, by type. */
export function followUpOnlyProblem(r: Record<string, unknown>): string | null {
  return followUpProblem(r.followup);
}

export const stateRow = z.object({ state: storedPatientState });
export const followUpRow = z.object({ followup: storedFollowUp });

/** rm_looks: the event, the design and the reports as frozen. */
export const lookRow = z.object({
  trial_id: z.string(),
  look: z.number(),
  event: interimLookTaken,
  design: z.unknown().transform((d, ctx): TrialRegistered => {
    const held = storedDesign(d, { table: 'rm_looks', column: 'design' });
    if (held === null) ctx.addIssue({ code: 'custom', message: 'a frozen look must hold its design' });
    return held as TrialRegistered;
  }),
  report: storedInterimResult.nullable(),
  unavailable: z.string().nullable(),
  recorded_at: z.date(),
  closed: storedClosedFigures.nullable(),
});

/** rm_parked.event: a patient event as it was parked (enrolment events upcast as on the topic). */
export const parkedEvent: z.ZodType<FollowupEvent> = z
  .union([enrollmentEvent, outcomeEvent])
  .refine(isFollowupEvent, 'must be a patient event')
  .transform((e) => e as FollowupEvent);
