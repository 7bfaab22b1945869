import { DataSource } from 'typeorm';
import { z } from 'zod';
import {
  RegistryRecord,
  registryRecord,
  ReviewDecided,
  reviewDecided,
  reviewCandidate,
  reviewReason,
  reviewStatus,
  sex,
  storedRows,
  type ReviewReason,
  type ReviewStatus,
} from '@trial/contracts';
import { OwnerElsewhere } from '@trial/linkage';
import { Identity } from './store';

/**
 * The clerical review queue as the API shows it: the registry record and each candidate
 * patient side by side, with the model's per-field evidence. Reviewers see identifiers
 * (DESIGN.md: the reviewer role); nothing here is logged.
 */
export interface ReviewView {
  reviewId: string;
  status: ReviewStatus;
  reason: ReviewReason;
  modelVersion: string;
  trialId: string;
  createdAt: string;
  record: Pick<
    RegistryRecord,
    | 'source'
    | 'recordId'
    | 'version'
    | 'kind'
    | 'nhsNumber'
    | 'chiNumber'
    | 'dateOfBirth'
    | 'sex'
    | 'familyName'
    | 'givenNames'
    | 'postcode'
    | 'dateOfDeath'
    | 'eventDate'
    | 'underlyingCause'
  >;
  candidates: Array<z.infer<typeof reviewCandidate> & { patient: (Identity & { withdrawnOn: string | null }) | null }>;
  /**
   * Patients of other trials the record matches by number (reason identifier-conflict across
   * trials): why a candidate that agrees on everything but its number was not linked. Not
   * candidates: they cannot be accepted here.
   */
  competing: OwnerElsewhere[];
  decision: { decision: string | null; patientId: string | null; decidedBy: string | null; decidedAt: string | null };
  /**
   * The prior the candidates' weights include, from the decision audit (lk_decisions.prior, the
   * decision that opened this item): λ and its weight log2(λ/(1−λ)), the waterfall's first bar.
   * Null for an item decided before the audit kept λ.
   */
  prior: { lambda: number; weight: number } | null;
}

// Rows and their JSONB as read back, parsed rather than cast: the record by the very schema it
// was decoded with, the candidates by the event's, so a row this code cannot show is an error
// naming the column, never a wrong page.
const nullableText = z.string().nullable();
const row = z.object({
  reviewId: z.string(),
  status: reviewStatus,
  reason: reviewReason,
  modelVersion: z.string(),
  trialId: z.string(),
  createdAt: z.date(),
  record: registryRecord,
  candidates: z.array(reviewCandidate),
  competing: z.array(z.object({ trialId: z.string(), patientId: z.string() })),
  // lk_reviews.decision holds the outcome, as status does: accepted or rejected.
  decision: z.enum(['accepted', 'rejected']).nullable(),
  patientId: nullableText,
  decidedBy: nullableText,
  decidedAt: z.date().nullable(),
});
type Row = z.infer<typeof row>;
const identity = z.object({
  randomisedOn: nullableText,
  nhsNumber: nullableText,
  chiNumber: nullableText,
  dateOfBirth: nullableText,
  sex: sex.nullable(),
  familyName: nullableText,
  givenNames: nullableText,
  postcode: nullableText,
});
const candidatePatient = z.object({ patientId: z.string(), identity, withdrawnOn: nullableText });

function parsed<T>(schema: z.ZodType<T>, list: unknown, table: string): T[] {
  return storedRows(schema, list, { table });
}

const select = `select r.review_id as "reviewId", r.status, r.reason, r.model_version as "modelVersion", r.trial_id as "trialId",
  r.created_at as "createdAt", v.record, r.candidates, r.competing, r.decision, r.patient_id as "patientId", r.decided_by as "decidedBy",
  r.decided_at as "decidedAt"
  from lk_reviews r join lk_record_versions v
    on v.scope = r.scope and v.source = r.source and v.record_id = r.record_id and v.version = r.version`;

const priorRow = z.object({ prior: z.number().gt(0).lt(1).nullable() });

/** λ of the latest audited 'review' decision of this record version and trial (the one that opened the item). */
async function priorOf(ds: DataSource, scope: string, row: Row): Promise<ReviewView['prior']> {
  const rows = parsed(
    priorRow,
    await ds.query(
      `select prior from lk_decisions where scope = $1 and source = $2 and record_id = $3 and version = $4 and trial_id = $5
       and decision = 'review' order by id desc limit 1`,
      [scope, row.record.source, row.record.recordId, row.record.version, row.trialId],
    ),
    'lk_decisions',
  );
  const lambda = rows[0]?.prior ?? null;
  return lambda === null ? null : { lambda, weight: Math.log2(lambda / (1 - lambda)) };
}

/**
 * A reviewer sees identifiers only for items in the queue: once decided or
 * superseded an item keeps its evidence (levels, weights), its dates and who decided, but no
 * number, name, date of birth or postcode, of the record or of any candidate.
 */
const IDENTIFIERS = { nhsNumber: null, chiNumber: null, dateOfBirth: null, familyName: null, givenNames: null, postcode: null } as const;

function withoutIdentifiers(v: ReviewView): ReviewView {
  return {
    ...v,
    record: { ...v.record, ...IDENTIFIERS },
    candidates: v.candidates.map((c) => ({ ...c, patient: c.patient && { ...c.patient, ...IDENTIFIERS } })),
  };
}

async function view(ds: DataSource, scope: string, row: Row): Promise<ReviewView> {
  const v = await fullView(ds, scope, row);
  return v.status === 'open' ? v : withoutIdentifiers(v);
}

async function fullView(ds: DataSource, scope: string, row: Row): Promise<ReviewView> {
  const ids = row.candidates.map((c) => c.patientId);
  const patients = parsed(
    candidatePatient,
    await ds.query(
      `select patient_id as "patientId", identity, withdrawn_on::text as "withdrawnOn" from lk_patients
     where scope = $1 and trial_id = $2 and patient_id = any($3::text[])`,
      [scope, row.trialId, ids],
    ),
    'lk_patients',
  );
  const byId = new Map(patients.map((p) => [p.patientId, { ...p.identity, withdrawnOn: p.withdrawnOn }]));
  const r = row.record;
  return {
    reviewId: row.reviewId,
    status: row.status,
    reason: row.reason,
    modelVersion: row.modelVersion,
    trialId: row.trialId,
    createdAt: new Date(row.createdAt).toISOString(),
    record: {
      source: r.source,
      recordId: r.recordId,
      version: r.version,
      kind: r.kind,
      nhsNumber: r.nhsNumber,
      chiNumber: r.chiNumber,
      dateOfBirth: r.dateOfBirth,
      sex: r.sex,
      familyName: r.familyName,
      givenNames: r.givenNames,
      postcode: r.postcode,
      dateOfDeath: r.dateOfDeath,
      eventDate: r.eventDate,
      underlyingCause: r.underlyingCause,
    },
    candidates: row.candidates.map((c) => ({ ...c, patient: byId.get(c.patientId) ?? null })),
    competing: row.competing,
    decision: {
      decision: row.decision,
      patientId: row.patientId,
      decidedBy: row.decidedBy,
      decidedAt: row.decidedAt ? new Date(row.decidedAt).toISOString() : null,
    },
    prior: await priorOf(ds, scope, row),
  };
}

export async function listReviews(ds: DataSource, scope: string, status: ReviewStatus, limit: number): Promise<ReviewView[]> {
  const rows = parsed(
    row,
    await ds.query(`${select} where r.scope = $1 and r.status = $2 order by r.created_at, r.review_id limit $3`, [scope, status, limit]),
    'lk_reviews, lk_record_versions',
  );
  return Promise.all(rows.map((row) => view(ds, scope, row)));
}

export async function getReview(ds: DataSource, scope: string, reviewId: string): Promise<ReviewView | null> {
  const rows = parsed(row, await ds.query(`${select} where r.scope = $1 and r.review_id = $2`, [scope, reviewId]), 'lk_reviews, lk_record_versions');
  return rows.length ? view(ds, scope, rows[0]) : null;
}

export const reviewDecisionBody = z
  .object({
    decision: z.enum(['accept', 'reject']),
    // The event's own rules (the text rule, the bounds): a body that passes here is never dead-lettered by linkage.
    patientId: reviewDecided.shape.patientId.optional(),
    note: reviewDecided.shape.note.optional(),
  })
  .strict();
export type ReviewDecisionBody = z.infer<typeof reviewDecisionBody>;

export type ReviewDecisionError =
  | { code: 'invalid-body'; reason: string }
  | { code: 'not-found'; reason: string }
  | { code: 'not-open'; reason: string }
  | { code: 'not-a-candidate'; reason: string };

/**
 * Checks a reviewer's decision against the queue and turns it into a ReviewDecided event (the
 * API publishes it; the linkage service applies it like any other input). An accept names one
 * of the candidates (the best one when omitted).
 */
export function reviewDecision(
  review: ReviewView | null,
  body: unknown,
  reviewer: string,
  now: string,
  eventId: string,
): { ok: true; event: ReviewDecided } | { ok: false; error: ReviewDecisionError } {
  const parsed = reviewDecisionBody.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      error: { code: 'invalid-body', reason: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') },
    };
  }
  if (review === null) return { ok: false, error: { code: 'not-found', reason: 'no such review' } };
  if (review.status !== 'open') return { ok: false, error: { code: 'not-open', reason: `review is ${review.status}` } };
  const b = parsed.data;
  let patientId: string | null = null;
  if (b.decision === 'accept') {
    patientId = b.patientId ?? review.candidates[0]?.patientId ?? null;
    if (patientId === null || !review.candidates.some((c) => c.patientId === patientId)) {
      return { ok: false, error: { code: 'not-a-candidate', reason: `patient ${String(patientId)} is not a candidate of this review` } };
    }
  }
  return {
    ok: true,
    event: {
      v: 1,
      type: 'ReviewDecided',
      eventId,
      occurredAt: now,
      reviewId: review.reviewId,
      decision: b.decision,
      patientId,
      reviewer,
      note: b.note ?? null,
    },
  };
}
