import { LinkEvidence } from '@trial/contracts';
import {
  CandidateScore,
  Clerical,
  LinkDecision,
  LinkageModel,
  OwnerElsewhere,
  PreparedPatient,
  PreparedRecord,
  ReviewReason,
  Target,
  decide,
  deterministicMatches,
} from '@trial/linkage';

// Clerical and Target are the linkage decider's (@trial/linkage decider/types.ts).
export type { Clerical, Target } from '@trial/linkage';

/** What the audit log keeps of a decision (levels and weights only: no identifiers). */
export interface DecisionRecord {
  decision: 'linked' | 'review' | 'unlinked';
  patientId: string | null;
  method: string;
  reason: string | null;
  modelVersion: string;
  /** λ the decision was made under (LinkDecision.prior). */
  prior: number;
  weight: number | null;
  fields: Record<string, { level: string; weight: number }>;
  candidates: CandidateScore[];
  /** The other trials' deterministic matches that sent the record to review here (LinkDecision.competing). */
  competing: OwnerElsewhere[];
}

/**
 * For each trial, the record's deterministic matches in the OTHER trials of `byTrial` (the
 * `ownersElsewhere` of its decision). Computed from the same candidate sets the decisions use,
 * so it too depends only on the record and the set of candidates, not on arrival order.
 */
export function ownersElsewhere(
  record: PreparedRecord,
  byTrial: ReadonlyMap<string, readonly PreparedPatient[]>,
  trialIds: readonly string[],
): Map<string, OwnerElsewhere[]> {
  const owners: OwnerElsewhere[] = [];
  for (const [trialId, patients] of byTrial) {
    for (const p of deterministicMatches(record, patients)) owners.push({ trialId, patientId: p.patientId });
  }
  return new Map(trialIds.map((t) => [t, owners.filter((o) => o.trialId !== t)]));
}

/**
 * The target for a record among one trial's candidates. A clerical decision overrides the
 * model; otherwise `decide` from @trial/linkage, the same function `followup link` runs, told
 * the record's deterministic matches in the other trials (`elsewhere`, see ownersElsewhere).
 * Pure: the result depends only on the record, the set of candidates (this trial's and the
 * owners elsewhere), the model and the clerical decision, which is what makes links
 * independent of arrival order.
 */
export function targetFor(
  record: PreparedRecord,
  candidates: readonly PreparedPatient[],
  model: LinkageModel,
  clerical: Clerical | null,
  elsewhere: readonly OwnerElsewhere[] = [],
  prior: number = model.prior,
): { target: Target; audit: DecisionRecord } {
  const d = decide(record, candidates, model, { maxCandidates: 5, ownersElsewhere: elsewhere, prior });
  const accepted = clerical?.decision === 'accept' ? (candidates.find((p) => p.patientId === clerical.patientId) ?? null) : null;
  return targetOf(record, d, model, clerical, accepted);
}

/**
 * The target for a record in one trial from the model's decision there (`decide`, or the
 * engine's `decidePrepared`, which is the same decision), and any clerical decision, which
 * overrides it. `accepted` is the patient a clerical accept names, when blocking still finds
 * them: their own scores are the link's evidence.
 */
export function targetOf(
  record: PreparedRecord,
  d: LinkDecision,
  model: LinkageModel,
  clerical: Clerical | null,
  accepted: PreparedPatient | null,
): { target: Target; audit: DecisionRecord } {
  const audit: DecisionRecord = {
    decision: d.decision,
    patientId: d.patientId,
    method: d.method,
    reason: d.reason,
    modelVersion: d.modelVersion,
    prior: d.prior,
    weight: d.weight,
    fields: d.fields as DecisionRecord['fields'],
    candidates: d.candidates,
    competing: d.competing,
  };
  if (clerical !== null) {
    if (clerical.decision === 'reject') {
      return {
        target: { status: 'unlinked', rejectedBy: clerical.reviewer },
        audit: { ...audit, decision: 'unlinked', patientId: null, method: 'clerical', reason: null },
      };
    }
    const all = accepted ? decide(record, [accepted], model, { maxCandidates: 1, prior: d.prior }) : null;
    const scored = all?.candidates[0];
    const evidence: LinkEvidence = {
      method: 'clerical',
      modelVersion: model.version,
      weight: scored?.weight ?? null,
      fields: scored?.fields ?? {},
      reviewer: clerical.reviewer,
    };
    return {
      target: { status: 'linked', patientId: clerical.patientId, evidence },
      audit: {
        ...audit,
        decision: 'linked',
        patientId: clerical.patientId,
        method: 'clerical',
        reason: null,
        weight: evidence.weight,
        fields: evidence.fields,
      },
    };
  }
  switch (d.decision) {
    case 'linked':
      return {
        target: {
          status: 'linked',
          patientId: d.patientId as string,
          evidence: { method: d.method, modelVersion: d.modelVersion, weight: d.weight, fields: d.fields as LinkEvidence['fields'] },
        },
        audit,
      };
    case 'review':
      return {
        target: {
          status: 'review',
          reason: d.reason as ReviewReason,
          bestPatientId: d.patientId as string,
          modelVersion: d.modelVersion,
          weight: d.weight,
          candidates: d.candidates,
          competing: d.competing,
        },
        audit,
      };
    case 'unlinked':
      return { target: { status: 'unlinked', rejectedBy: null }, audit };
    default: {
      const never: never = d.decision;
      throw new Error(`unknown decision ${String(never)}`);
    }
  }
}
