import type { DataSource } from 'typeorm';
import { storedDesign, type TrialRegistered } from '@trial/contracts';
import type { Completeness, FollowUp, PatientState } from '@trial/followup';
import { followUpOf } from '@trial/readmodel';
import { ReadError } from './read-error';
import { loadCompleteness, parsedRows, rows, type Sql } from './rows';
import { stateRow } from './stored-rows';

// What the read models held at a moment (the history tables' as-of reads), and the follow-ups
// now: the inputs every recompute (asOf, dataCutoff, frozen looks, the ADaM export) starts from.

export interface Held {
  states: PatientState[];
  completeness: Completeness;
  eventsApplied: number;
  asOf: string;
}

/** The trial's design as stored (not yet parsed); trial-not-found when the projector has no such trial. */
export async function storedTrialDesign(sql: Sql, trialId: string): Promise<unknown> {
  const [trial] = await rows<{ design: unknown }>(sql, `select design from rm_trials where trial_id = $1`, [trialId]);
  if (!trial) throw new ReadError('trial-not-found', `trial ${trialId} is not known`);
  return trial.design;
}

/** The held patients' follow-ups, censored at `dataCutoff` when one is given; patients with none are left out. */
export function heldFollowUps(held: Held, dataCutoff?: string): FollowUp[] {
  return held.states.map((s) => followUpOf(s, held.completeness, { dataCutoff })).filter((f): f is FollowUp => f !== null);
}

/** Patient states, completeness and event count as held at `asOf` (or now). */
export async function heldAt(sql: Sql, trialId: string, asOf?: string): Promise<Held> {
  if (asOf === undefined) {
    const states = await parsedRows(
      sql,
      stateRow,
      { table: 'rm_patients', column: 'state' },
      `select state from rm_patients where trial_id = $1 order by patient_id`,
      [trialId],
    );
    const [t] = await rows<{ events_applied: string; updated_at: Date }>(
      sql,
      `select events_applied, updated_at from rm_trials where trial_id = $1`,
      [trialId],
    );
    return {
      states: states.map((s) => s.state),
      completeness: await loadCompleteness(sql),
      eventsApplied: Number(t?.events_applied ?? 0),
      asOf: (t?.updated_at ?? new Date()).toISOString(),
    };
  }
  const [h] = await rows<{ events_applied: string; recorded_at: Date }>(
    sql,
    `select events_applied, recorded_at from rm_readout_history where trial_id = $1 and recorded_at <= $2 order by recorded_at desc, id desc limit 1`,
    [trialId, asOf],
  );
  if (!h) throw new ReadError('not-yet-projected', `trial ${trialId} had no read-out at ${asOf}`);
  const states = await parsedRows(
    sql,
    stateRow,
    { table: 'rm_patient_history', column: 'state' },
    `select distinct on (patient_id) state from rm_patient_history where trial_id = $1 and recorded_at <= $2
     order by patient_id, recorded_at desc, id desc`,
    [trialId, asOf],
  );
  return {
    states: states.map((s) => s.state),
    completeness: await loadCompleteness(sql, asOf),
    eventsApplied: Number(h.events_applied),
    asOf: h.recorded_at.toISOString(),
  };
}

/** Follow-ups now (or at a data cutoff) for the ADTTE export, with the design. */
export async function followUpsNow(
  ds: DataSource,
  trialId: string,
  dataCutoff?: string,
): Promise<{ design: TrialRegistered | null; followUps: FollowUp[] }> {
  return ds.transaction('REPEATABLE READ', async (tx) => {
    const design = await storedTrialDesign(tx, trialId);
    return { design: storedDesign(design), followUps: heldFollowUps(await heldAt(tx, trialId), dataCutoff) };
  });
}
