import { Producer } from 'kafkajs';
import { deadLetterHeaders, dlqOf, type MessageDeadLetter, type RowDeadLetter } from '@trial/contracts';
import { sendInRequests } from './requests';

/**
 * Caps that keep every DLQ record far under the broker's 1 MB `max.message.bytes`: at most
 * 256 KiB of original (about 342 KiB as base64), a reason and a key of bounded length (even
 * fully JSON-escaped, six bytes a character, they add under 13 KB).
 */
export const DLQ_ORIGINAL_CAP = 256 * 1024;
export const DLQ_REASON_CAP = 1000;
export const DLQ_KEY_CAP = 1000;

/** Where a message that cannot be used came from, why it was set aside, and its bytes. */
export interface DeadLetter {
  consumer: string;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  code: string;
  reason: string;
  /** The message value exactly as it was on the topic. */
  original: Buffer | null;
}

/**
 * The JSON on `<topic>.dlq` (@trial/contracts messageDeadLetter). The original is base64, so
 * binary survives byte for byte (as a JSON string it did not); one larger than
 * DLQ_ORIGINAL_CAP is in the `dead_letter_park` table under `parkedId` instead.
 */
export type DeadLetterRecord = MessageDeadLetter;

/** A message for the DLQ topic: the record and its headers, keyed by origin. */
export interface DeadLetterMessage {
  topic: string;
  key: string;
  value: DeadLetterRecord;
  headers: Record<string, string>;
}

/** Stores an original too large for the DLQ; returns its id. Idempotent per origin. */
export type Park = (letter: DeadLetter, parkedAt: string) => Promise<string>;

/** Whether a letter's original is too large to travel in the DLQ record. */
export function mustPark(original: Buffer | null): boolean {
  return original !== null && original.length > DLQ_ORIGINAL_CAP;
}

/**
 * The one builder of a consumed message's DLQ record, used by the consumer (sendToDlq) and by
 * the linkage outbox. Pure. `parkedId` is required exactly when the original must be parked.
 */
export function deadLetterMessage(l: DeadLetter, failedAt: string, parkedId: string | null): DeadLetterMessage {
  const parked = mustPark(l.original);
  if (parked !== (parkedId !== null)) throw new Error(parked ? 'an oversized original must be parked first' : 'only an oversized original is parked');
  const reason = cap(l.reason, DLQ_REASON_CAP);
  return {
    topic: dlqOf(l.topic),
    key: `${l.topic}:${l.partition}:${l.offset}`,
    value: {
      code: cap(l.code, 100),
      reason,
      consumer: l.consumer,
      failedAt,
      source: { topic: l.topic, partition: l.partition, offset: l.offset, key: l.key === null ? null : cap(l.key, DLQ_KEY_CAP) },
      originalBytes: l.original?.length ?? null,
      originalBase64: l.original === null || parked ? null : l.original.toString('base64'),
      parkedId,
    },
    headers: deadLetterHeaders(cap(l.code, 100), reason),
  };
}

/** An extract row that is no registration, as it goes to the DLQ: where it was and why, never the row. */
export interface RejectedRow {
  consumer: string;
  code: string;
  /** Where the row came from: the source registry and the file's name (the key), and the row. */
  registry: string;
  file: string;
  line: number;
  field: string;
  reason: string;
  recordId: string | null;
}

/** The one builder of a rejected row's DLQ record (ingest), capped like every dead letter. Pure. */
export function rowDeadLetterMessage(
  r: RejectedRow,
  failedAt: string,
  recordIdCap: number,
): { key: string; value: string; headers: Record<string, string> } {
  const reason = cap(`${r.field}: ${r.reason}`, DLQ_REASON_CAP);
  const value: RowDeadLetter = {
    code: cap(r.code, 100),
    reason,
    consumer: r.consumer,
    failedAt,
    source: { file: r.file, line: r.line, field: r.field, recordId: r.recordId === null ? null : cap(r.recordId, recordIdCap) },
    original: null,
  };
  return { key: `${r.consumer}:${r.registry}:${r.file}:${r.line}`, value: JSON.stringify(value), headers: deadLetterHeaders(value.code, reason) };
}

/** Parks what must be parked, then builds every record. */
export async function prepareDeadLetters(letters: DeadLetter[], failedAt: string, park: Park): Promise<DeadLetterMessage[]> {
  const out: DeadLetterMessage[] = [];
  for (const l of letters) out.push(deadLetterMessage(l, failedAt, mustPark(l.original) ? await park(l, failedAt) : null));
  return out;
}

/**
 * Sends dead letters, keyed by origin so a duplicate is recognisable, in produce batches
 * small enough for the broker: the DLQ has one partition, and `max.message.bytes` limits a
 * whole batch. A failure here is environmental and is the caller's to retry.
 */
export async function sendToDlq(producer: Producer, letters: DeadLetter[], failedAt: string, park: Park): Promise<void> {
  const messages = await prepareDeadLetters(letters, failedAt, park);
  await sendInRequests(
    producer,
    messages.map((m) => ({ topic: m.topic, key: m.key, value: JSON.stringify(m.value), headers: m.headers })),
  );
}

/**
 * Capped, and without NUL: Postgres text and jsonb refuse U+0000, and a dead letter that
 * cannot be stored (the linkage outbox, the park table) would hold its consumer for good.
 * The original keeps every byte in base64; only these copies are made safe.
 */
export function safeText(s: string, n: number): string {
  const t = s.replace(/\u0000/g, '\uFFFD');
  return t.length <= n ? t : `${t.slice(0, n - 1)}…`;
}

const cap = safeText;
