import { interimLookTaken, storedDesign, type InterimLookTaken, type TrialRegistered } from '@trial/contracts';
import { PermanentError } from '@trial/messaging';
import { foldLooks, type FrozenLook, type TrialLooks } from '@trial/readmodel';
import type { InterimResult } from '@trial/survival';
import { ReadError } from './queries';
import { rows, type Sql } from './rows';

type LookRow = {
  trial_id: string; look: number; event: unknown; design: unknown; report: InterimResult | null; unavailable: string | null; recorded_at: Date;
};

/** A frozen look as read back: its event, design and closed report, and when it was applied. */
export interface StoredLook extends FrozenLook {
  recordedAt: string;
}

function stored(r: LookRow): StoredLook {
  return {
    event: interimLookTaken.parse(r.event), design: storedDesign(r.design) as TrialRegistered, report: r.report,
    unavailable: r.unavailable, recordedAt: r.recorded_at.toISOString(),
  };
}

/** The trials' designs and looks held, as foldLooks starts from. */
async function heldLooks(tx: Sql, trialIds: string[]): Promise<Map<string, TrialLooks>> {
  const designs = await rows<{ trial_id: string; design: unknown }>(tx,
    `select trial_id, design from rm_trials where trial_id = any($1::text[])`, [trialIds]);
  const looks = await rows<LookRow>(tx, `select * from rm_looks where trial_id = any($1::text[]) order by trial_id, look`, [trialIds]);
  const held = new Map<string, TrialLooks>(designs.map((d) => [d.trial_id, { design: storedDesign(d.design), looks: [] }]));
  for (const l of looks) held.get(l.trial_id)?.looks.push(stored(l));
  return held;
}

async function saveLooks(tx: Sql, looks: readonly FrozenLook[], now: string): Promise<void> {
  if (!looks.length) return;
  await tx.query(
    `insert into rm_looks (trial_id, look, event, design, report, unavailable, recorded_at)
     select r.trial_id, r.look, r.event, r.design, r.report, r.unavailable, $2::timestamptz
     from jsonb_to_recordset($1::jsonb) as r(trial_id text, look int, event jsonb, design jsonb, report jsonb, unavailable text)`,
    [JSON.stringify(looks.map((l) => ({
      trial_id: l.event.trialId, look: l.event.look, event: l.event, design: l.design, report: l.report, unavailable: l.unavailable,
    }))), now]);
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
  tx: Sql, only: string | null, events: ReadonlyArray<TrialRegistered | InterimLookTaken>, now: string,
): Promise<number> {
  await tx.query(`delete from rm_looks where $1::text is null or trial_id = $1`, [only]);
  const { appended, refused } = foldLooks(new Map(), events);
  await saveLooks(tx, appended, now);
  return refused.length;
}

/** The looks taken, in order. */
export async function listLooks(sql: Sql, trialId: string): Promise<StoredLook[]> {
  return (await rows<LookRow>(sql, `select * from rm_looks where trial_id = $1 order by look`, [trialId])).map(stored);
}

/** Look n, frozen; a look not taken is `not-found`. */
export async function getLook(sql: Sql, trialId: string, look: number): Promise<StoredLook> {
  const [r] = await rows<LookRow>(sql, `select * from rm_looks where trial_id = $1 and look = $2`, [trialId, look]);
  if (!r) throw new ReadError('look-not-found', `trial ${trialId} has no look ${look}`);
  return stored(r);
}
