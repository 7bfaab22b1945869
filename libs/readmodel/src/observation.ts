import type { FollowUp } from '@trial/followup';

/** The facts the closed figures read beyond the arm, site and (time, status) (ClosedCohort). */
export type ClosedFacts = Pick<FollowUp, 'sex' | 'ageAtRandomisation' | 'strata' | 'covariates' | 'underlyingCause'>;

/**
 * What the trial-level read-out needs of one patient: the derived `(time, status)` plus the
 * randomisation facts used for accrual, and (closed) those the closed figures' cells are
 * keyed by. Nothing identifying: this is what the read models hold per patient outside the
 * patient's own state.
 */
export interface Observation {
  patientId: string;
  arm: string;
  site: string;
  randomisedOn: string;
  time: number;
  status: 0 | 1;
  /** Absent where only the all-cause figures are kept (read as not recorded). */
  closed?: ClosedFacts;
}

export function observationOf(f: FollowUp): Observation {
  return {
    patientId: f.patientId,
    arm: f.arm,
    site: f.site,
    randomisedOn: f.randomisedOn,
    time: f.time,
    status: f.status,
    closed: closedFactsOf(f),
  };
}

/** A follow-up's closed facts; with null, none recorded. */
export function closedFactsOf(f: ClosedFacts | null): ClosedFacts {
  if (f === null) return { sex: null, ageAtRandomisation: null, strata: {}, covariates: {}, underlyingCause: null };
  return {
    sex: f.sex ?? null,
    ageAtRandomisation: f.ageAtRandomisation ?? null,
    strata: f.strata ?? {},
    covariates: f.covariates ?? {},
    underlyingCause: f.underlyingCause ?? null,
  };
}

/** Equal as far as the read-out is concerned (so an unchanged patient costs nothing). */
export function sameObservation(a: Observation | null, b: Observation | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.arm === b.arm &&
    a.site === b.site &&
    a.randomisedOn === b.randomisedOn &&
    a.time === b.time &&
    a.status === b.status &&
    sameFacts(a.closed, b.closed)
  );
}

function sameFacts(a: ClosedFacts | undefined, b: ClosedFacts | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.sex === b.sex &&
    a.ageAtRandomisation === b.ageAtRandomisation &&
    a.underlyingCause === b.underlyingCause &&
    sameRecord(a.strata, b.strata) &&
    sameRecord(a.covariates, b.covariates)
  );
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}
