import { z } from 'zod';
import type { Sql } from './rows';

// The projector's NOTIFY after each committed change, and its payload read back by the SSE stream.

/** Channel of the projector's NOTIFY after each committed change (the SSE stream listens). */
export const READOUT_CHANNEL = 'readout_changed';

/** A partition batch that a change includes: its topic, partition and last offset. */
export interface ReadoutCause {
  topic: string;
  partition: number;
  lastOffset: string;
}

export interface ReadoutChanged {
  trialId: string;
  version: number;
  eventsApplied: number;
  /** The last batch that caused it. */
  topic: string | null;
  partition: number | null;
  lastOffset: string | null;
  /**
   * Every partition batch (newest per partition) folded into this change since the previous
   * one: lets the benchmark attribute latency to published offsets when batches coalesce.
   */
  causes?: ReadoutCause[];
}

const readoutChanged: z.ZodType<ReadoutChanged> = z.object({
  trialId: z.string(),
  version: z.number(),
  eventsApplied: z.number(),
  topic: z.string().nullable(),
  partition: z.number().nullable(),
  lastOffset: z.string().nullable(),
  causes: z.array(z.object({ topic: z.string(), partition: z.number(), lastOffset: z.string() })).optional(),
});

/** A NOTIFY payload of READOUT_CHANNEL read back (the SSE stream's listener), checked: null when it is not one. */
export function readoutChangedOf(payload: string): ReadoutChanged | null {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return null;
  }
  const parsed = readoutChanged.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** NOTIFYs every change in one statement (delivered when the transaction commits). */
export async function notifyChanged(sql: Sql, n: ReadoutChanged | readonly ReadoutChanged[]): Promise<void> {
  const list = Array.isArray(n) ? n : [n as ReadoutChanged];
  if (!list.length) return;
  await sql.query(`select pg_notify($1, x) from unnest($2::text[]) as x`, [READOUT_CHANNEL, list.map((c) => JSON.stringify(c))]);
}
