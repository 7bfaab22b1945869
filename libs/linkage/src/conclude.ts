import type { ReviewReason } from '@trial/contracts';
import { Comparison, FieldName, fieldNames } from './levels';
import { CompiledModel, LinkageModel } from './model';
import { Prepared, PreparedPatient, PreparedRecord } from './person';

// The core every decision goes through (decide, PatientTable.decideSlots, `followup link`'s
// deferred decisions): the deterministic rule, the match weight, and the rules of `conclude`.
// It imports nothing that imports it back, so table.ts and decide.ts can both build on it.

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

// Defined once, with the event that carries it (@trial/contracts review.ts).
export type { ReviewReason };

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

/**
 * The ranking a decision is concluded from: the best `max(2, maxCandidates)` candidates (best
 * first, ties on patientId) and every deterministic match (unsorted). It does not depend on λ
 * (evidence excludes the prior), so a caller that learns λ only later can conclude it again.
 * A sink that returns a decision takes the concluding over: that decision is returned as is,
 * and `conclude` is not run now (`followup link` concludes each row once, under the final λ).
 */
export type RankingSink = (scored: readonly Scored[], deterministic: readonly Scored[]) => LinkDecision | void;

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
  /**
   * Receives the ranking before it is concluded (`followup link`, which learns λ at the end of
   * the extract). With `maxCandidates: 0` the ranking is pruned for this decision's λ: it stays
   * valid for any λ at most `prior` (a smaller λ only lowers every weight by the same amount).
   */
  ranked?: RankingSink;
}

/**
 * The deterministic rule, the only place it is written: a valid NHS or CHI number,
 * equal on both sides, links when the date of birth, or the sex and the family name,
 * corroborate it. A number that fails its check (a typo in the registration) is never a
 * deterministic link; equal or one edit away it still counts as evidence (identifier levels
 * exact and near). A valid equal number whose other details disagree is scored like any other
 * candidate. The caller passes the corroborating levels it has computed (as levels or columns).
 */
export function deterministicRule(r: Prepared, p: Prepared, dobExact: boolean, sexSame: boolean, familyExact: boolean): boolean {
  if (!dobExact && !(sexSame && familyExact)) return false;
  return (r.nhsValid && p.nhsValid && r.nhs === p.nhs) || (r.chiValid && p.chiValid && r.chi === p.chi);
}

/** `deterministicRule` on a comparison vector. */
export function isDeterministicMatch(r: Prepared, p: Prepared, c: Comparison): boolean {
  return deterministicRule(r, p, c.dateOfBirth === 'exact', c.sex === 'same', c.familyName === 'exact');
}

type Numbers = Pick<Prepared, 'nhs' | 'nhsValid' | 'chi' | 'chiValid'>;

/**
 * The patient holds a valid NHS (or CHI) number and so does the record, and the two differ:
 * by its number the patient is someone else. A patient without a number of a kind the record
 * holds is not in conflict (for the cross-trial rule, plausibly the same person co-enrolled).
 */
export function holdsOtherNumber(record: Numbers, p: Numbers): boolean {
  return (record.nhsValid && p.nhsValid && record.nhs !== p.nhs) || (record.chiValid && p.chiValid && record.chi !== p.chi);
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

export function fieldWeight(c: Comparison, f: FieldName, cm: CompiledModel, familyKey: string | null): number {
  if (f === 'familyName' && c.familyName === 'exact' && familyKey !== null) {
    const tf = cm.familyExactTf.get(familyKey);
    if (tf !== undefined) return tf;
  }
  return cm.weights[f][c[f]];
}

/**
 * The evidence of a comparison: the sum of its field weights, without the prior, fields in
 * fieldNames order. A match weight is `evidence + priorWeight`, one addition last, so the
 * same evidence under two priors gives weights that differ by exactly the priors' difference
 * as computed (what lets `followup link` conclude under a λ it learns later, bit for bit).
 */
export function evidenceWeight(c: Comparison, cm: CompiledModel, familyKey: string | null): number {
  const w = cm.weights;
  let family = w.familyName[c.familyName];
  if (c.familyName === 'exact' && familyKey !== null) {
    const tf = cm.familyExactTf.get(familyKey);
    if (tf !== undefined) family = tf;
  }
  let e = w.identifier[c.identifier];
  e += w.dateOfBirth[c.dateOfBirth];
  e += w.sex[c.sex];
  e += family;
  e += w.givenNames[c.givenNames];
  e += w.postcode[c.postcode];
  return e;
}

/** The match weight (log2 posterior odds under cm's λ). */
export function matchWeight(c: Comparison, cm: CompiledModel, familyKey: string | null): number {
  return evidenceWeight(c, cm, familyKey) + cm.priorWeight;
}

/** A fully scored candidate: `evidence` is its match weight without the prior (`evidenceWeight`). */
export interface Scored {
  patientId: string;
  evidence: number;
  comparison: Comparison;
  deterministic: boolean;
  /** The patient holds a valid number that differs from the record's valid one (`holdsOtherNumber`). */
  otherNumber: boolean;
  patient: PreparedPatient;
}

/**
 * A probabilistic link to a patient whose valid number differs from the record's valid one
 * needs the fields that set a person apart from their household to agree: the given names and
 * the date of birth. Why: Modulus 11 (and the CHI's check digit) catches every single-digit
 * substitution and every adjacent transposition, so a valid number that differs is not a typo
 * of the patient's. It is another person's number: in a registration either a relative's,
 * taken by mistake (rare: about 1% of g2's registrations, 0.2% of uk2's), or the person who
 * died. The fields Fellegi-Sunter multiplies as independent are not independent among
 * household members: twins share the date of birth, family name, address and often sex;
 * a same-named parent or child shares all the names and the address. Their agreement then
 * outweighs the number's disagreement (a twin scored 12.3 bits on the uk2 short form), and
 * only the given names (twins) and the date of birth (same-named relatives) tell them apart.
 * When either does not agree, the record goes to review (identifier-conflict) instead of
 * linking: a person can tell a wrong number from a relative; the model cannot.
 */
export function conflictUnresolved(s: Pick<Scored, 'otherNumber' | 'comparison'>): boolean {
  if (!s.otherNumber) return false;
  const c = s.comparison;
  const given = c.givenNames === 'exact' || c.givenNames === 'jw92' || c.givenNames === 'jw88' || c.givenNames === 'partial';
  const dob = c.dateOfBirth === 'exact' || c.dateOfBirth === 'swap' || c.dateOfBirth === 'one-day';
  return !(given && dob);
}

/**
 * A probabilistic link with no number to confirm it and the household's fields agreeing
 * without the given names: the family name agrees (at any level), the full postcode agrees,
 * no identifier agrees (`other` or `absent`) and the given names are `other`. That is how a
 * twin, a spouse or a same-named relative registered at the patient's address looks: they
 * share the family name and the address (twins the date of birth and often the sex too), and
 * the full postcode alone weighs about 20 bits, so their sum outweighs given names that share
 * nothing. Fellegi-Sunter adds those agreements as independent; within a household they are
 * one fact. Without a number, only the given names set the patient apart from the household,
 * so when they disagree the record goes to review (household-member) instead of linking. The
 * rule reads the comparison only, applies to every data set alike and was measured (not
 * fitted) on both benchmark generators: bench/linkage/README.md, "Household members".
 */
export function householdUnconfirmed(s: Pick<Scored, 'comparison'>): boolean {
  const c = s.comparison;
  if (c.identifier === 'exact' || c.identifier === 'near') return false;
  const family = c.familyName === 'exact' || c.familyName === 'jw92' || c.familyName === 'jw88' || c.familyName === 'partial';
  return family && c.postcode === 'full' && c.givenNames === 'other';
}

/** Best first (higher evidence), ties on patientId: the order of every ranking. */
export function byEvidenceThenId(a: Scored, b: Scored): number {
  if (b.evidence !== a.evidence) return b.evidence - a.evidence;
  return a.patientId < b.patientId ? -1 : a.patientId > b.patientId ? 1 : 0;
}

/** Inserts into a best-first list capped at `cap` entries. */
export function insertSorted(list: Scored[], s: Scored, cap: number): void {
  let i = list.length;
  while (i > 0 && byEvidenceThenId(list[i - 1], s) > 0) i--;
  if (i >= cap) return;
  list.splice(i, 0, s);
  if (list.length > cap) list.pop();
}

/** What `conclude` reads of the record (so a caller may keep only that). */
export type ConcludedRecord = Pick<PreparedRecord, 'kind' | 'dateOfDeath' | 'familyKey' | 'nhs' | 'nhsValid' | 'chi' | 'chiValid'>;

function deathBeforeRandomisation(r: ConcludedRecord, p: PreparedPatient): boolean {
  return (r.kind === 'death' || r.kind === 'death-cancelled') && r.dateOfDeath !== null && p.randomisedOn !== null && r.dateOfDeath < p.randomisedOn;
}

function publicScore(s: Scored, cm: CompiledModel, familyKey: string | null): CandidateScore {
  const fields = {} as FieldsEvidence;
  for (const f of fieldNames) fields[f] = { level: s.comparison[f], weight: round2(fieldWeight(s.comparison, f, cm, familyKey)) };
  return { patientId: s.patientId, weight: round2(s.evidence + cm.priorWeight), fields };
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

/**
 * The rules of `decide` (decide.ts, where they are listed) applied to a ranking: the best
 * `max(2, maxCandidates)` candidates (best first, ties on patientId) and every deterministic
 * match. It reads only the first `max(2, maxCandidates)` of `scored` and the first two of
 * `deterministic` once sorted; λ enters only here, through `cm.priorWeight`.
 */
export function conclude(
  record: ConcludedRecord,
  scored: readonly Scored[],
  deterministic: readonly Scored[],
  model: LinkageModel,
  cm: CompiledModel,
  maxCandidates: number,
  ownersElsewhere: readonly OwnerElsewhere[] = [],
): LinkDecision {
  const dets = deterministic.length > 1 ? [...deterministic].sort(byEvidenceThenId) : deterministic;
  const evidence = scored.slice(0, maxCandidates).map((x) => publicScore(x, cm, record.familyKey));
  // Object literals, not `{ ...base, ... }`: V8 builds a spread followed by more properties on a
  // slow runtime path (about 6 µs against 0.04 µs for a literal, measured on this machine), and
  // `followup link` concludes a million rows. Same keys in the same order.
  if (scored.length === 0) {
    return {
      modelVersion: model.version,
      prior: cm.prior,
      candidates: evidence,
      competing: [],
      decision: 'unlinked',
      patientId: null,
      weight: null,
      method: 'probabilistic',
      reason: null,
      fields: {},
    };
  }
  const t = model.thresholds;
  const pw = cm.priorWeight;
  let chosen: Scored;
  let method: LinkDecision['method'];
  let decision: LinkDecision['decision'];
  let reason: ReviewReason | null = null;
  let competing: OwnerElsewhere[] = [];
  if (dets.length > 0) {
    chosen = dets[0];
    method = 'deterministic';
    decision = dets.length === 1 ? 'linked' : 'review';
    if (dets.length > 1) reason = 'identifier-conflict';
  } else {
    chosen = scored[0];
    method = 'probabilistic';
    const second = scored[1];
    const weight = chosen.evidence + pw;
    if (weight >= t.link) {
      if (second !== undefined && second.evidence + pw >= weight - t.closeMargin) {
        decision = 'review';
        reason = 'close-candidates';
      } else if (conflictUnresolved(chosen)) {
        decision = 'review';
        reason = 'identifier-conflict';
      } else if (householdUnconfirmed(chosen)) {
        decision = 'review';
        reason = 'household-member';
      } else decision = 'linked';
    } else if (weight >= t.review) {
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
  return {
    modelVersion: model.version,
    prior: cm.prior,
    candidates: evidence,
    competing,
    decision,
    patientId: chosen.patientId,
    weight: pub.weight,
    method,
    reason,
    fields: pub.fields,
  };
}
