import type { Producer } from 'kafkajs';
import { z } from 'zod';
import {
  CompletenessCorrection,
  Result,
  TopicNames,
  civilDate,
  completenessCorrection,
  describeIssues,
  notificationKey,
  registrySource,
} from '@trial/contracts';
import { recordAudit, type Sql } from '@trial/projection';

/** The body of `POST /registry/completeness-corrections`. */
export const correctionRequest = z
  .object({
    source: registrySource,
    completeUpTo: civilDate,
    reason: z
      .string()
      .trim()
      .min(1, 'is required')
      .max(500, 'must be at most 500 characters')
      // The reason is kept in the audit log and on the log for good: no identifier may ride in it.
      .refine((r) => !/\d{10}/.test(r.replace(/[\s-]/g, '')), 'must not contain an NHS or CHI number (10 digits)'),
    /** The caller's idempotency key: a retry with the same id is applied once. Generated when absent. */
    correctionId: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,100}$/, 'must be 1-100 letters, digits or . _ : -')
      .optional(),
  })
  .strict();
export type CorrectionRequest = z.infer<typeof correctionRequest>;

export interface CorrectionRefusal {
  code: 'invalid-request' | 'complete-up-to-in-future';
  /** The body field at fault, when there is one. */
  field: string | null;
  reason: string;
}

/**
 * The notification a correction request becomes, or why not. Pure: the requester, the id and
 * the clock are passed in. A correction may move completeness backwards (that is its point) or
 * forwards, but never past today.
 */
export function correctionFor(
  body: unknown,
  o: { /** used when the body has none */ correctionId: string; correctedBy: string; now: string },
): Result<CompletenessCorrection, CorrectionRefusal> {
  const parsed = correctionRequest.safeParse(body);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return {
      ok: false,
      error: { code: 'invalid-request', field: first.path.length ? first.path.join('.') : null, reason: describeIssues(parsed.error) },
    };
  }
  const today = o.now.slice(0, 10);
  if (parsed.data.completeUpTo > today) {
    return {
      ok: false,
      error: {
        code: 'complete-up-to-in-future',
        field: 'completeUpTo',
        reason: `completeUpTo: ${parsed.data.completeUpTo} is after today (${today})`,
      },
    };
  }
  const n = completenessCorrection.safeParse({
    v: 1,
    kind: 'completeness-correction',
    ...parsed.data,
    correctionId: parsed.data.correctionId ?? o.correctionId,
    correctedBy: o.correctedBy,
    requestedAt: o.now,
  });
  if (!n.success) return { ok: false, error: { code: 'invalid-request', field: null, reason: describeIssues(n.error) } };
  return { ok: true, value: n.data };
}

export interface CorrectionPorts {
  /** Runs `work` in one database transaction. */
  transaction: <T>(work: (sql: Sql) => Promise<T>) => Promise<T>;
  producer: Producer;
  topics: TopicNames;
}

/**
 * Records who asked for the correction, what and why in the audit log and publishes it to
 * registry.notifications (acks from all in-sync replicas) inside the audit row's transaction:
 * if the broker refuses, the audit row is rolled back with it, so the audit log never shows a
 * correction that was not sent. (A crash after the send but before the commit would leave a sent
 * correction unaudited; the caller sees an error, and a retry with the same correctionId is
 * applied once by linkage and audited then.)
 * No token and no personal data: the token's subject and role, the registry, the date, the reason.
 */
export async function publishCorrection(ports: CorrectionPorts, n: CompletenessCorrection, role: string): Promise<void> {
  await ports.transaction(async (sql) => {
    await recordAudit(sql, {
      sub: n.correctedBy,
      role,
      trialId: null,
      view: 'completeness-correction',
      query: { correctionId: n.correctionId, source: n.source, completeUpTo: n.completeUpTo, reason: n.reason, requestedAt: n.requestedAt },
    });
    await ports.producer.send({ topic: ports.topics.notifications, acks: -1, messages: [{ key: notificationKey(n), value: JSON.stringify(n) }] });
  });
}
