import { Patient, makeCohort } from './cohort';
import { Fate, makeFates } from './fates';
import { Extract, extractSchedule, fileRows, namesakeRows, trialRows, unrelatedRows } from './registry';
import { Rng } from './prng';
import { openCaseRows } from './review-cases';
import { groundTruth, Outcome, TrialFacts } from './truth';

export interface World {
  seed: number;
  patients: Patient[];
  fates: Map<string, Fate>;
  extracts: Extract[];
  facts: TrialFacts;
  outcomes: Outcome[];
}

/**
 * The whole demo world from one seed. Each part draws from its own stream, so the haystack of
 * unrelated deaths does not move the trial's outcomes (and the seed search can skip it).
 */
export function buildWorld(seed: number, options: { haystack: boolean } = { haystack: true }): World {
  const taken = new Set<string>();
  const patients = makeCohort(Rng.stream(seed, 'cohort'), taken);
  const fates = makeFates(Rng.stream(seed, 'fates'), patients);
  const schedule = extractSchedule(Rng.stream(seed, 'schedule'));
  const rows = [
    ...trialRows(Rng.stream(seed, 'trial-rows'), patients, fates),
    ...namesakeRows(Rng.stream(seed, 'namesakes'), patients, fates, taken),
    ...openCaseRows(Rng.stream(seed, 'open-cases'), patients, fates),
    ...(options.haystack ? unrelatedRows(Rng.stream(seed, 'haystack'), schedule, patients, taken) : []),
  ];
  const extracts = fileRows(rows, schedule);
  const facts: TrialFacts = { withdrawnOn: new Map(), lastSeenAlive: new Map() };
  for (const [id, f] of fates) {
    if (f.withdrawnOn) facts.withdrawnOn.set(id, f.withdrawnOn);
    if (f.seenAlive.length) facts.lastSeenAlive.set(id, [...f.seenAlive].sort()[f.seenAlive.length - 1]);
  }
  return { seed, patients, fates, extracts, facts, outcomes: groundTruth(patients, extracts, facts) };
}
