/**
 * Consent withdrawal, the one rule both services apply: after a patient withdraws, nothing new
 * about them counts. The read side, which knows the withdrawal's effective date, ignores every
 * fact dated after it (a fact on the day still counts); the linkage service, which decides
 * before any date is weighed, publishes nothing more about a withdrawn patient at all (the
 * events are kept for the audit).
 */
export function afterWithdrawal(withdrawnOn: string | null, factOn: string): boolean {
  return withdrawnOn !== null && factOn > withdrawnOn;
}

/** The linkage side of the rule: whether an event about `patientId` is held back. */
export function suppressedByWithdrawal(withdrawn: ReadonlySet<string>, patientId: string): boolean {
  return withdrawn.has(patientId);
}
