import type { FollowUp } from '@trial/followup';

/**
 * What the trial-level read-out needs of one patient: the derived `(time, status)` plus the
 * randomisation facts used for accrual. Nothing identifying: this is what the read models hold
 * per patient outside the patient's own state.
 */
export interface Observation {
  patientId: string;
  arm: string;
  site: string;
  randomisedOn: string;
  time: number;
  status: 0 | 1;
}

export function observationOf(f: FollowUp): Observation {
  return { patientId: f.patientId, arm: f.arm, site: f.site, randomisedOn: f.randomisedOn, time: f.time, status: f.status };
}

/** Equal as far as the read-out is concerned (so an unchanged patient costs nothing). */
export function sameObservation(a: Observation | null, b: Observation | null): boolean {
  if (a === null || b === null) return a === b;
  return a.arm === b.arm && a.site === b.site && a.randomisedOn === b.randomisedOn && a.time === b.time && a.status === b.status;
}
