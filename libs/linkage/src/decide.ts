import { compare } from './levels';
import { LinkageModel } from './model';
import { PreparedPatient, PreparedRecord } from './person';
import { PatientTable } from './table';
import { DecideOptions, LinkDecision, isDeterministicMatch } from './conclude';

// The types and the core of every decision live in conclude.ts (the rule, the weights,
// `conclude`); they are re-exported here, where callers have always found them.
export type {
  CandidateScore,
  ConcludedRecord,
  DecideOptions,
  FieldEvidence,
  FieldsEvidence,
  LinkDecision,
  OwnerElsewhere,
  RankingSink,
  ReviewReason,
  Scored,
} from './conclude';
export {
  byEvidenceThenId,
  conclude,
  deterministicRule,
  evidenceWeight,
  fieldWeight,
  holdsOtherNumber,
  insertSorted,
  isDeterministicMatch,
  matchWeight,
} from './conclude';

/**
 * The candidates among `candidates` that match the record deterministically: what a caller
 * linking against several trials passes to the other trials' decisions as `ownersElsewhere`.
 */
export function deterministicMatches<P extends PreparedPatient>(record: PreparedRecord, candidates: readonly P[]): P[] {
  return candidates.filter((p) => isDeterministicMatch(record, p, compare(record, p)));
}

/**
 * Decides one record against the candidate patients its blocking keys found. Pure: the result
 * depends only on the record, the SET of candidates (order and duplicates do not matter) and
 * the model, which is what makes the service's links independent of arrival order.
 *
 * Rules, in order:
 * 1. exactly one deterministic match (conclude.ts `deterministicRule`) → linked (method
 *    deterministic); two or more patients sharing the record's number with corroboration →
 *    review (identifier-conflict);
 * 2. otherwise the best match weight: ≥ link → linked, unless a second candidate is within
 *    `closeMargin` bits (→ review, close-candidates), or the candidate holds another valid
 *    number without the given names and date of birth agreeing (→ review, identifier-conflict:
 *    conclude.ts `conflictUnresolved`), or no number agrees and the family name and full
 *    postcode do while the given names do not (→ review, household-member: conclude.ts
 *    `householdUnconfirmed`); ≥ review → review (between-thresholds); below → unlinked;
 * 3. cross-trial: when the record has a deterministic match in another trial
 *    (`options.ownersElsewhere`) and none here, a best candidate holding a valid number of
 *    the record's kind that differs from the record's is not that record's person, however
 *    well the names agree: what would have linked or gone to review goes to review
 *    (identifier-conflict), with the owners in `competing`. A best candidate without such a
 *    number is decided as usual (the same person co-enrolled in two trials);
 * 4. a death dated before the chosen patient's randomisation is never linked automatically:
 *    it goes to review (death-before-randomisation).
 *
 * One scoring path: the candidates are put in a PatientTable of their own and decided by
 * `decideSlots`, the code `LinkageIndex` (the service, `followup link`) runs. A patientId listed
 * twice is one candidate (the first listing).
 */
export function decide(
  record: PreparedRecord,
  candidates: readonly PreparedPatient[],
  model: LinkageModel,
  options: DecideOptions = {},
): LinkDecision {
  const table = new PatientTable(candidates.length);
  const slots = new Int32Array(candidates.length);
  const seen = new Set<string>();
  let n = 0;
  for (const p of candidates) {
    if (seen.has(p.patientId)) continue;
    seen.add(p.patientId);
    slots[n++] = table.add(p);
  }
  return table.decideSlots(record, slots, n, model, options);
}
