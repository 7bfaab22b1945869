import { RegistrySource } from '@trial/contracts';
import { EnrolmentLine } from './enrolments';
import type { OpenCase } from './review-cases';
import { World } from './world';

export interface EnrolmentStep {
  kind: 'enrolments';
  on: string;
  file: string;
  /** 1-based line numbers in `file`, inclusive. */
  firstLine: number;
  lastLine: number;
  count: number;
  from: string;
  to: string;
}

export interface ExtractStep {
  kind: 'extract';
  on: string;
  file: string;
  source: RegistrySource;
  completeUpTo: string;
  extractedOn: string;
  rows: number;
}

export interface ReviewDecision {
  source: RegistrySource;
  recordId: string;
  version: number;
  decision: 'accept' | 'reject';
  patientId: string | null;
  why: string;
}

export interface ReviewStep {
  kind: 'review';
  on: string;
  /** The extract whose records these are; decide them only if the linkage raised a review item. */
  after: string;
  decisions: ReviewDecision[];
}

export type Step = EnrolmentStep | ExtractStep | ReviewStep;

/** A registration the replay leaves in the review queue, and what the demo's reviewer should decide. */
export interface AwaitingReview {
  source: RegistrySource;
  recordId: string;
  version: number;
  case: OpenCase;
  decision: 'accept' | 'reject';
  why: string;
}

/** The open cases (review-cases.ts), in the order the registry learnt of them. */
export function awaitingReview(world: World): AwaitingReview[] {
  const rows = world.extracts.flatMap((e) => e.rows).sort((a, b) => (a.reportedOn < b.reportedOn ? -1 : a.reportedOn > b.reportedOn ? 1 : 0));
  return rows.flatMap((r) =>
    r.review?.open
      ? [{ source: r.source, recordId: r.recordId, version: r.version, case: r.review.open, decision: r.review.decision, why: r.review.why }]
      : [],
  );
}

/**
 * Every step of the replay in time order: the enrolment events up to each extraction day, the
 * extract, then the reviews a clerk would decide on that extract's records.
 */
export function replaySteps(world: World, lines: EnrolmentLine[], enrolmentFile: string): Step[] {
  const extracts = [...world.extracts].sort((a, b) =>
    a.extractedOn < b.extractedOn ? -1 : a.extractedOn > b.extractedOn ? 1 : a.source < b.source ? -1 : 1,
  );
  const steps: Step[] = [];
  let next = 0;
  const flush = (upTo: string | null): void => {
    const first = next;
    while (next < lines.length && (upTo === null || lines[next].on <= upTo)) next++;
    if (next === first) return;
    steps.push({
      kind: 'enrolments',
      on: lines[next - 1].on,
      file: enrolmentFile,
      firstLine: first + 1,
      lastLine: next,
      count: next - first,
      from: lines[first].on,
      to: lines[next - 1].on,
    });
  };
  for (const e of extracts) {
    flush(e.extractedOn);
    steps.push({
      kind: 'extract',
      on: e.extractedOn,
      file: e.file,
      source: e.source,
      completeUpTo: e.completeUpTo,
      extractedOn: e.extractedOn,
      rows: e.rows.length,
    });
    const decisions = e.rows
      .filter((r) => r.review && !r.review.open)
      .map((r): ReviewDecision => ({
        source: r.source,
        recordId: r.recordId,
        version: r.version,
        decision: r.review?.decision ?? 'reject',
        patientId: r.review?.decision === 'accept' ? r.patientId : null,
        why: r.review?.why ?? '',
      }));
    if (decisions.length) steps.push({ kind: 'review', on: e.extractedOn, after: e.file, decisions });
  }
  flush(null);
  return steps;
}
