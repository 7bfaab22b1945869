import { ageOn } from '@trial/contracts';
import type { FollowUp } from './derive';
import type { PatientState } from './state';

/**
 * What an analysis stratifies or splits by. Fields a state stored before they were kept lacks
 * read as unknown (null, none). Copies, so a FollowUp never shares objects with the state.
 */
export function covariatesOf(state: PatientState): Pick<FollowUp, 'sex' | 'ageAtRandomisation' | 'strata' | 'covariates'> {
  const r = state.randomisation;
  const born = state.dateOfBirth ?? null;
  return {
    sex: state.sex ?? null,
    ageAtRandomisation: born === null || r === null ? null : ageOn(born, r.randomisedOn),
    strata: { ...(r?.strata ?? {}) },
    covariates: { ...(r?.covariates ?? {}) },
  };
}
