import { Comparison, FieldName, compare, compareDateOfBirth, compareFamilyName, compareGivenNames, compareIdentifier, comparePostcode, compareSex, fieldNames } from './levels';
import { CompiledModel, LinkageModel, compileModel } from './model';
import { Prepared, PreparedPatient, PreparedRecord } from './person';

export interface FieldEvidence {
  level: string;
  weight: number;
}

export type FieldsEvidence = Record<FieldName, FieldEvidence>;

/** A scored candidate, in the shape of `reviewCandidate` (libs/contracts outcomes.ts). */
export interface CandidateScore {
  patientId: string;
  weight: number;
  fields: FieldsEvidence;
}

export type ReviewReason = 'between-thresholds' | 'close-candidates' | 'death-before-randomisation' | 'identifier-conflict';

/**
 * The decision for one record against its blocked candidates. `weight`, `modelVersion`,
 * `method` and `fields` are the `linkEvidence` of outcomes.ts; `candidates` are
 * `reviewCandidate`s, best first. `patientId` is the linked or best candidate (null when there
 * was none) and `weight` its match weight (null when there was no candidate to score).
 */
export interface LinkDecision {
  decision: 'linked' | 'review' | 'unlinked';
  patientId: string | null;
  weight: number | null;
  modelVersion: string;
  /** λ the weight includes (DecideOptions.prior, else the model's): recorded with the decision. */
  prior: number;
  method: 'deterministic' | 'probabilistic';
  reason: ReviewReason | null;
  fields: Partial<FieldsEvidence>;
  candidates: CandidateScore[];
  /**
   * The deterministic matches in other trials that kept this decision from linking (the
   * cross-trial rule of `conclude`), sorted; empty when that rule did not apply. Not part of
   * any outcome schema: a reviewCandidate is a patient of the record's own trial.
   */
  competing: OwnerElsewhere[];
}

/** A patient of another trial whom the record matches deterministically (`isDeterministicMatch`). */
export interface OwnerElsewhere {
  trialId: string;
  patientId: string;
}

export interface DecideOptions {
  /** How many candidates to return as evidence (best first). Default 3. */
  maxCandidates?: number;
  /**
   * The record's deterministic matches in the other trials the caller links against. `decide`
   * sees one trial's candidates at a time, so without this a death owned by its NHS number in
   * one trial could still link by name to a look-alike with another number in the next.
   */
  ownersElsewhere?: readonly OwnerElsewhere[];
  /**
   * λ to decide under, when estimated from the data at hand (prior.ts `estimatePrior`); default
   * the model's own. Thresholds are match weights that include it (log2 posterior odds).
   */
  prior?: number;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Weights of a comparison vector under a compiled model, fields in a fixed order. */
export function scoreComparison(c: Comparison, cm: CompiledModel, familyKey: string | null): { weight: number; fields: FieldsEvidence } {
  const fields = {} as FieldsEvidence;
  let weight = cm.priorWeight;
  for (const f of fieldNames) {
    const w = fieldWeight(c, f, cm, familyKey);
    weight += w;
    fields[f] = { level: c[f], weight: w };
  }
  return { weight, fields };
}

function fieldWeight(c: Comparison, f: FieldName, cm: CompiledModel, familyKey: string | null): number {
  if (f === 'familyName' && c.familyName === 'exact' && familyKey !== null) {
    const tf = cm.familyExactTf.get(familyKey);
    if (tf !== undefined) return tf;
  }
  return cm.weights[f][c[f]];
}

/** The match weight alone (the hot path: no evidence objects), same sum in the same order. */
export function matchWeight(c: Comparison, cm: CompiledModel, familyKey: string | null): number {
  const w = cm.weights;
  let family = w.familyName[c.familyName];
  if (c.familyName === 'exact' && familyKey !== null) {
    const tf = cm.familyExactTf.get(familyKey);
    if (tf !== undefined) family = tf;
  }
  // Same order as scoreComparison, so the two agree to the last bit.
  let weight = cm.priorWeight;
  weight += w.identifier[c.identifier];
  weight += w.dateOfBirth[c.dateOfBirth];
  weight += w.sex[c.sex];
  weight += family;
  weight += w.givenNames[c.givenNames];
  weight += w.postcode[c.postcode];
  return weight;
}

/**
 * The deterministic rule of issue 4: a valid NHS or CHI number equal to the patient's links
 * when the date of birth, or the sex and the family name, corroborate it. A valid equal number
 * whose other details disagree is only scored like any other candidate.
 */
export function isDeterministicMatch(r: Prepared, p: Prepared, c: Comparison): boolean {
  const sameNumber = (r.nhsValid && p.nhsValid && r.nhs === p.nhs) || (r.chiValid && p.chiValid && r.chi === p.chi);
  if (!sameNumber) return false;
  return c.dateOfBirth === 'exact' || (c.sex === 'same' && c.familyName === 'exact');
}

/**
 * The candidates among `candidates` that match the record deterministically: what a caller
 * linking against several trials passes to the other trials' decisions as `ownersElsewhere`.
 */
export function deterministicMatches<P extends PreparedPatient>(record: PreparedRecord, candidates: readonly P[]): P[] {
  return candidates.filter((p) => isDeterministicMatch(record, p, compare(record, p)));
}

/**
 * The patient holds a valid NHS (or CHI) number and so does the record, and the two differ:
 * by its number the patient is someone else. A patient without a number of a kind the record
 * holds is not in conflict (for the cross-trial rule, plausibly the same person co-enrolled).
 */
export function holdsOtherNumber(record: Prepared, p: Prepared): boolean {
  return (record.nhsValid && p.nhsValid && record.nhs !== p.nhs) || (record.chiValid && p.chiValid && record.chi !== p.chi);
}

function byOwner(a: OwnerElsewhere, b: OwnerElsewhere): number {
  if (a.trialId !== b.trialId) return a.trialId < b.trialId ? -1 : 1;
  return a.patientId < b.patientId ? -1 : a.patientId > b.patientId ? 1 : 0;
}

/** Sorted and de-duplicated, so the evidence does not depend on the order owners were found in. */
function normaliseOwners(owners: readonly OwnerElsewhere[]): OwnerElsewhere[] {
  const out: OwnerElsewhere[] = [];
  for (const o of [...owners].sort(byOwner)) {
    const last = out[out.length - 1];
    if (last === undefined || byOwner(last, o) !== 0) out.push({ trialId: o.trialId, patientId: o.patientId });
  }
  return out;
}

/** A fully scored candidate (internal to decide and the index's fast path). */
export interface Scored {
  patientId: string;
  weight: number;
  comparison: Comparison;
  deterministic: boolean;
  patient: PreparedPatient;
}

function byWeightThenId(a: Scored, b: Scored): number {
  if (b.weight !== a.weight) return b.weight - a.weight;
  return a.patientId < b.patientId ? -1 : a.patientId > b.patientId ? 1 : 0;
}

function byWeightThenIdRaw(weight: number, patientId: string, b: Scored): number {
  if (b.weight !== weight) return b.weight - weight;
  return patientId < b.patientId ? -1 : patientId > b.patientId ? 1 : 0;
}

/** Inserts into a best-first list capped at `cap` entries. */
export function insertSorted(list: Scored[], s: Scored, cap: number): void {
  let i = list.length;
  while (i > 0 && byWeightThenId(list[i - 1], s) > 0) i--;
  if (i >= cap) return;
  list.splice(i, 0, s);
  if (list.length > cap) list.pop();
}

function deathBeforeRandomisation(r: PreparedRecord, p: PreparedPatient): boolean {
  return (r.kind === 'death' || r.kind === 'death-cancelled') && r.dateOfDeath !== null && p.randomisedOn !== null && r.dateOfDeath < p.randomisedOn;
}

function publicScore(s: Scored, cm: CompiledModel, familyKey: string | null): CandidateScore {
  const fields = {} as FieldsEvidence;
  for (const f of fieldNames) fields[f] = { level: s.comparison[f], weight: round2(fieldWeight(s.comparison, f, cm, familyKey)) };
  return { patientId: s.patientId, weight: round2(s.weight), fields };
}

/**
 * Decides one record against the candidate patients its blocking keys found. Pure: the result
 * depends only on the record, the SET of candidates (order and duplicates do not matter) and
 * the model, which is what makes the service's links independent of arrival order.
 *
 * Rules, in order:
 * 1. exactly one deterministic match → linked (method deterministic); two or more patients
 *    sharing the record's number with corroboration → review (identifier-conflict);
 * 2. otherwise the best match weight: ≥ link → linked, unless a second candidate is within
 *    `closeMargin` bits (→ review, close-candidates); ≥ review → review (between-thresholds);
 *    below → unlinked;
 * 3. cross-trial: when the record has a deterministic match in another trial
 *    (`options.ownersElsewhere`) and none here, a best candidate holding a valid number of
 *    the record's kind that differs from the record's is not that record's person, however
 *    well the names agree: what would have linked or gone to review goes to review
 *    (identifier-conflict), with the owners in `competing`. A best candidate without such a
 *    number is decided as usual (the same person co-enrolled in two trials);
 * 4. a death dated before the chosen patient's randomisation is never linked automatically:
 *    it goes to review (death-before-randomisation).
 */
export function decide(record: PreparedRecord, candidates: readonly PreparedPatient[], model: LinkageModel, options: DecideOptions = {}): LinkDecision {
  const cm = compileModel(model, options.prior);
  const maxCandidates = options.maxCandidates ?? 3;
  // Keep only the best max(2, maxCandidates) (the best and the runner-up decide; the rest is
  // evidence), plus every deterministic match: no sort of the whole candidate set.
  const keep = Math.max(2, maxCandidates);
  const scored: Scored[] = [];
  const deterministic: Scored[] = [];
  for (const p of candidates) {
    // Cheap fields first. When even perfect names could not lift this candidate into the
    // best `keep`, skip the string comparisons: the kept list (and so the decision) is the
    // same as with every candidate scored in full, because the best is always scored in full.
    const identifier = compareIdentifier(record, p);
    const dateOfBirth = compareDateOfBirth(record, p);
    const sex = compareSex(record, p);
    const postcode = comparePostcode(record, p);
    const sameNumber = (record.nhsValid && p.nhsValid && record.nhs === p.nhs) || (record.chiValid && p.chiValid && record.chi === p.chi);
    const det = sameNumber && (dateOfBirth === 'exact' || (sex === 'same' && record.familyKey !== null && record.familyKey === p.familyKey));
    if (!det && scored.length === keep) {
      const w = cm.weights;
      const bound = cm.priorWeight + w.identifier[identifier] + w.dateOfBirth[dateOfBirth] + w.sex[sex] + w.postcode[postcode] + cm.maxFamilyWeight + cm.maxGivenWeight;
      if (bound + 1e-9 < scored[keep - 1].weight) continue;
    }
    const c: Comparison = { identifier, dateOfBirth, sex, familyName: compareFamilyName(record, p), givenNames: compareGivenNames(record, p), postcode };
    const weight = matchWeight(c, cm, record.familyKey);
    if (!det && scored.length === keep && byWeightThenIdRaw(weight, p.patientId, scored[keep - 1]) >= 0) continue;
    const s: Scored = { patientId: p.patientId, weight, comparison: c, deterministic: det, patient: p };
    // A patient listed twice scores the same twice: only the kept lists need de-duplicating.
    if (det && !deterministic.some((d) => d.patientId === s.patientId)) deterministic.push(s);
    if (!scored.some((d) => d.patientId === s.patientId)) insertSorted(scored, s, keep);
  }
  return conclude(record, scored, deterministic, model, cm, maxCandidates, options.ownersElsewhere);
}

/**
 * The rules of `decide` applied to the best `max(2, maxCandidates)` candidates (best first, ties
 * on patientId) and every deterministic match: shared by `decide` and `LinkageIndex.decideFor`,
 * so the two cannot drift apart.
 */
export function conclude(
  record: PreparedRecord, scored: Scored[], deterministic: Scored[], model: LinkageModel, cm: CompiledModel, maxCandidates: number,
  ownersElsewhere: readonly OwnerElsewhere[] = [],
): LinkDecision {
  deterministic.sort(byWeightThenId);
  const evidence = scored.slice(0, maxCandidates).map((x) => publicScore(x, cm, record.familyKey));
  const base = { modelVersion: model.version, prior: cm.prior, candidates: evidence, competing: [] as OwnerElsewhere[] };
  if (scored.length === 0) {
    return { ...base, decision: 'unlinked', patientId: null, weight: null, method: 'probabilistic', reason: null, fields: {} };
  }
  const t = model.thresholds;
  let chosen: Scored;
  let method: LinkDecision['method'];
  let decision: LinkDecision['decision'];
  let reason: ReviewReason | null = null;
  let competing: OwnerElsewhere[] = [];
  if (deterministic.length > 0) {
    chosen = deterministic[0];
    method = 'deterministic';
    decision = deterministic.length === 1 ? 'linked' : 'review';
    if (deterministic.length > 1) reason = 'identifier-conflict';
  } else {
    chosen = scored[0];
    method = 'probabilistic';
    const second = scored[1];
    if (chosen.weight >= t.link) {
      if (second !== undefined && second.weight >= chosen.weight - t.closeMargin) {
        decision = 'review';
        reason = 'close-candidates';
      } else decision = 'linked';
    } else if (chosen.weight >= t.review) {
      decision = 'review';
      reason = 'between-thresholds';
    } else decision = 'unlinked';
    // Only a probabilistic choice can be overruled by another trial's owner: a deterministic
    // match here is this trial's own evidence (co-enrolment under the same number).
    if (decision !== 'unlinked' && ownersElsewhere.length > 0 && holdsOtherNumber(record, chosen.patient)) {
      decision = 'review';
      reason = 'identifier-conflict';
      competing = normaliseOwners(ownersElsewhere);
    }
  }
  if (decision === 'linked' && deathBeforeRandomisation(record, chosen.patient)) {
    decision = 'review';
    reason = 'death-before-randomisation';
  }
  const pub = publicScore(chosen, cm, record.familyKey);
  return { ...base, decision, patientId: chosen.patientId, weight: pub.weight, method, reason, fields: pub.fields, competing };
}
