import { Rng } from './prng';

export type Place = 'hospital' | 'home' | 'care-home' | 'hospice' | 'elsewhere';

/**
 * Underlying causes (ICD-10) of the trial's patients, with severe coronary disease: about six
 * deaths in ten cardiovascular (I00-I99, the CVDEATH endpoint), the rest cancers, respiratory,
 * renal and diabetic deaths. IABP is a cardiac intervention, so the demo lets it spare
 * cardiovascular deaths only: the cardiovascular share of its deaths is lower and the other
 * causes kill about as many in each arm. One draw a death whatever the weights, so they move no
 * other part of the demo (dates, delays and places draw the same numbers).
 */
const CV_CAUSES = ['I21.9', 'I25.1', 'I25.5', 'I25.9', 'I50.0', 'I50.9', 'I46.9', 'I42.0', 'I63.9', 'I71.3'];
const CV_WEIGHTS = [14, 12, 6, 5, 8, 5, 4, 2, 4, 1];
const OTHER_CAUSES = ['C34.9', 'C61', 'J44.9', 'J18.9', 'N18.5', 'E11.9'];
const OTHER_WEIGHTS = [3, 2, 3, 3, 2, 2];
const TRIAL_CAUSES = [...CV_CAUSES, ...OTHER_CAUSES];
/**
 * The chance that an arm's death is cardiovascular. With the demo's seed they give 38 of
 * control's 58 deaths and 22 of IABP's 42: 60 in 100, and about 20 other deaths in each arm.
 */
const CV_SHARE: Readonly<Record<string, number>> = { control: 0.7, IABP: 0.38 };

function trialWeights(arm: string): number[] {
  const share = CV_SHARE[arm] ?? 0.6;
  const cv = CV_WEIGHTS.reduce((a, b) => a + b, 0);
  const other = OTHER_WEIGHTS.reduce((a, b) => a + b, 0);
  // Scale the other causes so that cardiovascular ones make up `share` of the total.
  const k = (cv * (1 - share)) / (share * other);
  return [...CV_WEIGHTS, ...OTHER_WEIGHTS.map((w) => w * k)];
}

/** Causes in the general population of decedents: cancers, dementia, stroke, respiratory, falls. */
const GENERAL_CAUSES = [
  'I21.9',
  'I25.1',
  'I50.9',
  'I64',
  'I63.9',
  'F03',
  'G30.9',
  'C34.9',
  'C18.9',
  'C50.9',
  'C61',
  'C25.9',
  'C16.9',
  'J44.9',
  'J18.9',
  'J22',
  'K70.3',
  'N18.5',
  'E11.9',
  'W19',
  'R54',
];
const GENERAL_WEIGHTS = [6, 7, 4, 4, 3, 7, 4, 6, 3, 3, 3, 2, 1, 5, 5, 2, 1, 2, 2, 1, 3];

const PLACES: readonly Place[] = ['hospital', 'home', 'care-home', 'hospice', 'elsewhere'];
const PLACE_WEIGHTS = [55, 20, 17, 5, 3];

export const trialCause = (rng: Rng, arm: string): string => rng.weighted(TRIAL_CAUSES, trialWeights(arm));
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
