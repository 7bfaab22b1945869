import { LinkEvidence } from '@trial/contracts';
import { CandidateScore, LinkageModel, PreparedPatient, PreparedRecord, ReviewReason, decide } from '@trial/linkage';

/** A clerical decision on a record in one trial; it stands for later versions of the record. */
export type Clerical =
  | { decision: 'accept'; patientId: string; reviewer: string; reviewId: string }
  | { decision: 'reject'; reviewer: string; reviewId: string };

/** Where a record should stand in one trial, after the model (or a reviewer) has spoken. */
export type Target =
  | { status: 'linked'; patientId: string; evidence: LinkEvidence }
  | { status: 'review'; reason: ReviewReason; bestPatientId: string; modelVersion: string; weight: number | null; candidates: CandidateScore[] }
  | { status: 'unlinked'; rejectedBy: string | null };

/** What the audit log keeps of a decision (levels and weights only: no identifiers). */
export interface DecisionRecord {
  decision: 'linked' | 'review' | 'unlinked';
  patientId: string | null;
  method: string;
  reason: string | null;
  modelVersion: string;
  weight: number | null;
  fields: Record<string, { level: string; weight: number }>;
  candidates: CandidateScore[];
}

/**
 * The target for a record among one trial's candidates. A clerical decision overrides the
 * model; otherwise `decide` from @trial/linkage, the same function `followup link` runs.
 * Pure: the result depends only on the record, the set of candidates, the model and the
 * clerical decision, which is what makes links independent of arrival order.
 */
export function targetFor(
  record: PreparedRecord, candidates: readonly PreparedPatient[], model: LinkageModel, clerical: Clerical | null,
): { target: Target; audit: DecisionRecord } {
  const d = decide(record, candidates, model, { maxCandidates: 5 });
  const audit: DecisionRecord = {
    decision: d.decision, patientId: d.patientId, method: d.method, reason: d.reason, modelVersion: d.modelVersion,
    weight: d.weight, fields: d.fields as DecisionRecord['fields'], candidates: d.candidates,
  };
  if (clerical !== null) {
    if (clerical.decision === 'reject') {
      return { target: { status: 'unlinked', rejectedBy: clerical.reviewer }, audit: { ...audit, decision: 'unlinked', patientId: null, method: 'clerical', reason: null } };
    }
    // The accepted patient's own scores are the evidence, when blocking still finds them.
    const all = decide(record, candidates.filter((p) => p.patientId === clerical.patientId), model, { maxCandidates: 1 });
    const scored = all.candidates[0];
    const evidence: LinkEvidence = {
      method: 'clerical', modelVersion: model.version, weight: scored?.weight ?? null,
      fields: scored?.fields ?? {}, reviewer: clerical.reviewer,
    };
    return {
      target: { status: 'linked', patientId: clerical.patientId, evidence },
      audit: { ...audit, decision: 'linked', patientId: clerical.patientId, method: 'clerical', reason: null, weight: evidence.weight, fields: evidence.fields },
    };
  }
  switch (d.decision) {
    case 'linked':
      return {
        target: { status: 'linked', patientId: d.patientId as string, evidence: { method: d.method, modelVersion: d.modelVersion, weight: d.weight, fields: d.fields as LinkEvidence['fields'] } },
        audit,
      };
    case 'review':
      return {
        target: { status: 'review', reason: d.reason as ReviewReason, bestPatientId: d.patientId as string, modelVersion: d.modelVersion, weight: d.weight, candidates: d.candidates },
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
