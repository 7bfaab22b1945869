import type { z } from 'zod';
import { storedDesign, type InterimLookTaken, type TrialRegistered } from '@trial/contracts';
import { PermanentError } from '@trial/messaging';
import { closedAtLook, foldLooks, hasAnalysisPlan, type ClosedFigures, type FrozenLook, type TrialLooks } from '@trial/readmodel';
import { heldFollowUps } from './held';
import { heldAt, ReadError } from './queries';
import { parsedRows, rows, type Sql } from './rows';
import { lookRow } from './stored-rows';

type LookRow = z.infer<typeof lookRow>;
const LOOKS = { table: 'rm_looks' };

/** A frozen look as read back: its event, design and closed report, and when it was applied. */
export interface StoredLook extends FrozenLook {
  recordedAt: string;
  /** The closed report's other analyses as at the look (closedAtLook); null without a plan. */
  closed: ClosedFigures | null;
}

function stored(r: LookRow): StoredLook {
  return {
    event: r.event,
    design: r.design,
    report: r.report,
    unavailable: r.unavailable,
    recordedAt: r.recorded_at.toISOString(),
    closed: r.closed,
  };
}

/** The trials' designs and looks held, as foldLooks starts from. */
async function heldLooks(tx: Sql, trialIds: string[]): Promise<Map<string, TrialLooks>> {
  const designs = await rows<{ trial_id: string; design: unknown }>(tx, `select trial_id, design from rm_trials where trial_id = any($1::text[])`, [
    trialIds,
  ]);
  const looks = await parsedRows(tx, lookRow, LOOKS, `select * from rm_looks where trial_id = any($1::text[]) order by trial_id, look`, [trialIds]);
  const held = new Map<string, TrialLooks>(designs.map((d) => [d.trial_id, { design: storedDesign(d.design), looks: [] }]));
  for (const l of looks) held.get(l.trial_id)?.looks.push(stored(l));
  return held;
}

/**
 * The closed figures of a look, from the patients' states and completeness held at its asOf
 * (append-only history, which replay keeps) at its data cutoff: what GET /survival?asOf=&dataCutoff=
 * gave the dsmb then. Null without a plan, or when the history does not reach back to it.
 */
async function closedOf(tx: Sql, l: FrozenLook): Promise<ClosedFigures | null> {
  if (!hasAnalysisPlan(l.design)) return null; // a v1 trial: no history to read
  let held;
  try {
    held = await heldAt(tx, l.event.trialId, l.event.asOf);
  } catch (err) {
    if (err instanceof ReadError && err.code === 'not-yet-projected') return null;
    throw err;
  }
  return closedAtLook(l.design, heldFollowUps(held, l.event.dataCutoff ?? undefined));
}

async function saveLooks(tx: Sql, looks: readonly FrozenLook[], now: string): Promise<void> {
  if (!looks.length) return;
  const closed: Array<ClosedFigures | null> = [];
  for (const l of looks) closed.push(await closedOf(tx, l));
  await tx.query(
    `insert into rm_looks (trial_id, look, event, design, report, unavailable, closed, recorded_at)
     select r.trial_id, r.look, r.event, r.design, r.report, r.unavailable, r.closed, $2::timestamptz
     from jsonb_to_recordset($1::jsonb) as r(trial_id text, look int, event jsonb, design jsonb, report jsonb, unavailable text, closed jsonb)`,
    [
      JSON.stringify(
        looks.map((l, i) => ({
          trial_id: l.event.trialId,
          look: l.event.look,
          event: l.event,
          design: l.design,
          report: l.report,
          unavailable: l.unavailable,
          closed: closed[i],
        })),
      ),
      now,
    ],
  );
}

/**
 * A batch's trial-wide events (log order) applied to the frozen looks, in the batch's
 * transaction: a refused look throws a PermanentError, so the consumer dead-letters it alone.
 */
export async function applyLooks(tx: Sql, events: ReadonlyArray<TrialRegistered | InterimLookTaken>, now: string): Promise<void> {
  const trials = [...new Set(events.filter((e) => e.type === 'InterimLookTaken').map((e) => e.trialId))];
  if (!trials.length) return;
  const { appended, refused } = foldLooks(await heldLooks(tx, trials), events);
  const [r] = refused;
  if (r !== undefined) throw new PermanentError(r.refusal.code, r.refusal.reason);
  await saveLooks(tx, appended, now);
}

/** Replay: the looks of the rebuilt trials, again from the log. Returns how many were refused. */
export async function rebuildLooks(
  tx: Sql,
  only: string | null,
  events: ReadonlyArray<TrialRegistered | InterimLookTaken>,
  now: string,
): Promise<number> {
  await tx.query(`delete from rm_looks where $1::text is null or trial_id = $1`, [only]);
  const { appended, refused } = foldLooks(new Map(), events);
  await saveLooks(tx, appended, now);
  return refused.length;
}

/** The looks taken, in order. */
export async function listLooks(sql: Sql, trialId: string): Promise<StoredLook[]> {
  return (await parsedRows(sql, lookRow, LOOKS, `select * from rm_looks where trial_id = $1 order by look`, [trialId])).map(stored);
}

/** Look n, frozen; a look not taken is `not-found`. */
export async function getLook(sql: Sql, trialId: string, look: number): Promise<StoredLook> {
  const [r] = await parsedRows(sql, lookRow, LOOKS, `select * from rm_looks where trial_id = $1 and look = $2`, [trialId, look]);
  if (!r) throw new ReadError('look-not-found', `trial ${trialId} has no look ${look}`);
  return stored(r);
}
