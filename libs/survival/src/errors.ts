// Typed errors of the survival engine. Every failure that would otherwise surface as NaN or
// Infinity in a read-out is raised as a SurvivalError with a stable code, so callers (the CLI,
// the projector) can map it to an exit status or an HTTP problem without parsing messages.
// The codes are UPPER_SNAKE because read-outs already carry them (`notEstimable`: "NO_EVENTS: ...").

export type SurvivalErrorCode =
  | 'INVALID_OBSERVATION' // time not a finite non-negative number, or event not 0/1
  | 'NOT_FOUND' // remove() of an observation the table does not hold
  | 'EMPTY' // no observations where some are needed
  | 'SINGLE_GROUP' // a comparison (log-rank, Cox, reference) asked of fewer than two groups
  | 'UNKNOWN_REFERENCE' // the reference level is not one of the groups
  | 'NO_EVENTS' // Cox: a group without events (its coefficient would be infinite)
  | 'NOT_CONVERGED' // Cox: Newton-Raphson ran out of iterations
  | 'SINGULAR' // an information or variance matrix that is not positive definite
  | 'INVALID_OPTION'; // an option outside its domain (conf level, tau, information fractions...)

/**
 * One of the CodedError family (@trial/contracts): libs/survival imports nothing of ours
 * (DESIGN.md), so instead of extending the class it carries the family's mark, the registered
 * symbol that `isCodedError` checks.
 */
export class SurvivalError extends Error {
  constructor(
    readonly code: SurvivalErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SurvivalError';
    Object.defineProperty(this, Symbol.for('@trial/coded-error'), { value: true });
  }
}
