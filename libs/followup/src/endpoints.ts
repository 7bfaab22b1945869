import { causeInRanges, type Endpoint } from '@trial/contracts';
import type { FollowUp } from './derive';

/**
 * A patient's status for one endpoint beyond all-cause death (TrialRegistered v2 `endpoints`):
 * - `event`: the death that counts has an underlying cause in the endpoint's ICD-10 ranges;
 * - `competing`: a death that counts, from another cause, or with no cause recorded (it is not
 *   known to be the endpoint's, and it ends the time at risk of it all the same);
 * - `censored`: alive at the end of follow-up, for the same reason as for all-cause death.
 * `followup stats --cause 1` reads these as 1, 2 and 0 (endpointCode).
 */
export type EndpointStatus = 'event' | 'competing' | 'censored';

export function endpointStatus(f: Pick<FollowUp, 'status' | 'underlyingCause'>, endpoint: Pick<Endpoint, 'icd10'>): EndpointStatus {
  if (f.status === 0) return 'censored';
  return causeInRanges(f.underlyingCause, endpoint.icd10) ? 'event' : 'competing';
}

/** The competing-risks event code: 0 censored, 1 the endpoint, 2 death from another cause. */
export function endpointCode(s: EndpointStatus): 0 | 1 | 2 {
  return s === 'event' ? 1 : s === 'competing' ? 2 : 0;
}
