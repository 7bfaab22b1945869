import { Prepared } from './person';

/**
 * λ, the prior probability that a registration and a patient picked at random are the same
 * person, estimated from the data at hand rather than frozen in the model.
 *
 * Why it cannot be a constant: λ = (true matches) / (patients × registrations). A trial of 4,000
 * patients against an extract that covers their region has a λ hundreds of times larger than a
 * 100,000-patient cohort against a national extract, and it moves as the trial recruits. A
 * model trained on one pair of sizes (the shipped one: 100,000 × 1,000,000, λ ≈ 2.3e-7) costs a
 * small trial 6 to 9 bits of evidence it has, which sends its sure matches to review.
 *
 * Method: Splink's `estimate_probability_two_random_records_match` (Moser Linacre, "Splink"
 * documentation, 2022–), with the deterministic rule as the one rule and its recall estimated
 * rather than supplied. Among pairs that can both be judged by the rule (the registration holds a
 * valid number of the registry's kind and so does the patient), the rule's matches `d` estimate
 * the matches; the rate d / (pairs judged) is λ. With the rule's corroboration (date of birth,
 * or sex and family name) assumed to hold for true matches, this is the Splink estimate with
 * recall = the share of pairs the rule can judge.
 *
 * Assumptions: having a valid number is independent of being a match (a registration's number is
 * recorded, or not, whoever died); a valid number shared by two different people with agreeing
 * details is negligible. Small counts are smoothed with half a match (Jeffreys-like), so an
 * extract with no deterministic match yet gives a small λ rather than zero; below `minPairs`
 * judged pairs the model's own λ stands (nothing to estimate from).
 *
 * The estimate is rounded to a grid of `GRID_BITS` in log2 odds, so that counts moving by a few
 * records do not move every decision, and so that two callers (the service and `followup link`)
 * with the same data arrive at the very same λ.
 */
export interface PriorCounts {
  /** Registrations seen (valid rows of the registry's notifications, current versions). */
  records: number;
  /** Of those, holding a valid number (NHS for ONS, CHI for NRS). */
  recordsWithNumber: number;
  /** Patients the registrations are compared with. */
  patients: number;
  /** Of those, holding a valid number of the registry's kind. */
  patientsWithNumber: number;
  /** Of those with a number, registrations with a deterministic match among the patients (isDeterministicMatch). */
  deterministic: number;
}

export interface PriorEstimate {
  /** λ used: the estimate, or the model's when there is too little to estimate from. */
  prior: number;
  /** log2(λ / (1 − λ)): the prior's share of every match weight. */
  weight: number;
  basis: 'estimated' | 'model';
  counts: PriorCounts;
}

/** Grid of the estimate, in bits of prior log-odds. */
export const GRID_BITS = 0.25;
/** Fewer judged pairs than this: keep the model's λ. */
export const MIN_PAIRS = 1000;
const MIN_PRIOR = 1e-12;
/** The largest estimate: a registration is never more likely than not a given patient's a priori. */
export const MAX_PRIOR = 0.5;

const logit2 = (p: number): number => Math.log2(p / (1 - p));
const unlogit2 = (w: number): number => 1 / (1 + 2 ** -w);

export function emptyCounts(): PriorCounts {
  return { records: 0, recordsWithNumber: 0, patients: 0, patientsWithNumber: 0, deterministic: 0 };
}

export function addCounts(a: PriorCounts, b: PriorCounts): PriorCounts {
  return {
    records: a.records + b.records,
    recordsWithNumber: a.recordsWithNumber + b.recordsWithNumber,
    patients: a.patients + b.patients,
    patientsWithNumber: a.patientsWithNumber + b.patientsWithNumber,
    deterministic: a.deterministic + b.deterministic,
  };
}

/** λ from the counts (see the file comment); `modelPrior` when fewer than `minPairs` pairs can be judged. */
export function estimatePrior(counts: PriorCounts, modelPrior: number, minPairs = MIN_PAIRS): PriorEstimate {
  const judged = counts.recordsWithNumber * counts.patientsWithNumber;
  if (!(judged >= minPairs)) return { prior: modelPrior, weight: logit2(modelPrior), basis: 'model', counts };
  const raw = Math.min(MAX_PRIOR, Math.max(MIN_PRIOR, (counts.deterministic + 0.5) / (judged + 1)));
  const weight = Math.round(logit2(raw) / GRID_BITS) * GRID_BITS;
  return { prior: unlogit2(weight), weight, basis: 'estimated', counts };
}

/**
 * The largest λ `estimatePrior` can give for a cohort with `patientsWithNumber` patients holding
 * a number, whatever the extract, provided `deterministic` counts only registrations that hold a
 * number (so deterministic ≤ recordsWithNumber = R): (d + 0.5) / (R·P + 1) ≤ (R + 0.5) / (R·P + 1),
 * which for P > 2 decreases in R, so it is largest at R = 1: 1.5 / (P + 1); then up to the grid.
 * With too few pairs the estimate is the model's λ. `followup link` decides its one pass under
 * this bound, so that what it prunes stays pruned under the λ that comes out (DeferredDecisions).
 */
export function largestEstimate(patientsWithNumber: number, modelPrior: number): number {
  const P = patientsWithNumber;
  const raw = P > 2 ? Math.min(MAX_PRIOR, Math.max(MIN_PRIOR, 1.5 / (P + 1))) : MAX_PRIOR;
  const weight = Math.ceil(logit2(raw) / GRID_BITS) * GRID_BITS;
  return Math.max(modelPrior, Math.min(MAX_PRIOR, unlogit2(weight)));
}

/** Which number the deterministic rule reads for a registry: NHS in England and Wales, CHI in Scotland. */
export function holdsRegistryNumber(p: Prepared, source: 'ONS' | 'NRS'): boolean {
  return source === 'ONS' ? p.nhsValid : p.chiValid;
}
