import { z } from 'zod';

/**
 * A record on `<topic>.dlq`: why a message (or an extract row) was set aside, by whom, when,
 * and where it came from. One schema for every writer (the consumers' sendToDlq, the linkage
 * outbox, ingest's row rejects) and every reader (tests, the fuzz bench). Its texts are
 * capped and NUL-free already (messaging's safeText), so they are plain strings here, not the
 * text rule's: a reason may quote a control character it refused.
 */
const letter = {
  code: z.string().min(1).max(100),
  reason: z.string().max(1000),
  consumer: z.string().min(1),
  failedAt: z.string().min(1),
};

/** A consumed message: its position, its key, and its bytes as base64 (or `parkedId` when too large for the topic). */
export const messageDeadLetter = z.object({
  ...letter,
  source: z.object({ topic: z.string(), partition: z.number().int().min(0), offset: z.string(), key: z.string().nullable() }),
  /** Length of the original in bytes; null when the message had no value. */
  originalBytes: z.number().int().min(0).nullable(),
  originalBase64: z.string().nullable(),
  parkedId: z.string().nullable(),
});
export type MessageDeadLetter = z.infer<typeof messageDeadLetter>;

/** An extract row that is no registration: its file, line, column and record id (never the row, which may hold identifiers). */
export const rowDeadLetter = z.object({
  ...letter,
  source: z.object({ file: z.string(), line: z.number().int().min(1), field: z.string(), recordId: z.string().nullable() }),
  original: z.null(),
});
export type RowDeadLetter = z.infer<typeof rowDeadLetter>;

export const deadLetterRecord = z.union([messageDeadLetter, rowDeadLetter]);
export type DeadLetterRecord = z.infer<typeof deadLetterRecord>;

/** The headers every dead letter carries, so a reader can filter without parsing the value. */
export function deadLetterHeaders(code: string, reason: string): Record<'dlq-code' | 'dlq-reason', string> {
  return { 'dlq-reason': reason, 'dlq-code': code };
}
