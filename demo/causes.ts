import { Rng } from './prng';

export type Place = 'hospital' | 'home' | 'care-home' | 'hospice' | 'elsewhere';

/** Underlying causes (ICD-10) for patients with severe coronary disease: mostly cardiac. */
const TRIAL_CAUSES = ['I21.9', 'I25.1', 'I25.5', 'I25.9', 'I50.0', 'I50.9', 'I46.9', 'I42.0', 'I63.9', 'I71.3', 'C34.9', 'C61', 'J44.9', 'J18.9', 'N18.5', 'E11.9'];
const TRIAL_WEIGHTS = [14, 12, 6, 5, 8, 5, 4, 2, 4, 1, 3, 2, 3, 3, 2, 2];

/** Causes in the general population of decedents: cancers, dementia, stroke, respiratory, falls. */
const GENERAL_CAUSES = ['I21.9', 'I25.1', 'I50.9', 'I64', 'I63.9', 'F03', 'G30.9', 'C34.9', 'C18.9', 'C50.9', 'C61', 'C25.9', 'C16.9', 'J44.9', 'J18.9', 'J22', 'K70.3', 'N18.5', 'E11.9', 'W19', 'R54'];
const GENERAL_WEIGHTS = [6, 7, 4, 4, 3, 7, 4, 6, 3, 3, 3, 2, 1, 5, 5, 2, 1, 2, 2, 1, 3];

const PLACES: readonly Place[] = ['hospital', 'home', 'care-home', 'hospice', 'elsewhere'];
const PLACE_WEIGHTS = [55, 20, 17, 5, 3];

export const trialCause = (rng: Rng): string => rng.weighted(TRIAL_CAUSES, TRIAL_WEIGHTS);
export const generalCause = (rng: Rng): string => rng.weighted(GENERAL_CAUSES, GENERAL_WEIGHTS);
export const place = (rng: Rng): Place => rng.weighted(PLACES, PLACE_WEIGHTS);

/**
 * Days from death to registration: usually within a week (median about 4), but about one
 * death in seven goes to the coroner and takes weeks to months.
 */
export function registrationDelay(rng: Rng): { days: number; coroner: boolean } {
  if (rng.chance(0.15)) return { days: Math.min(300, 21 + Math.round(Math.exp(rng.normal(Math.log(45), 0.6)))), coroner: true };
  return { days: Math.min(21, Math.max(1, Math.round(Math.exp(rng.normal(Math.log(4), 0.55))))), coroner: false };
}
