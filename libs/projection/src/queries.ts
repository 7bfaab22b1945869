import type { DataSource } from 'typeorm';
import { storedDesign, storedValue } from '@trial/contracts';
import type { Completeness } from '@trial/followup';
import {
  analyse,
  ClosedCohort,
  closedAnalysis,
  closedFromCells,
  hasAnalysisPlan,
  observationOf,
  planKey,
  planOf,
  TrialCohort,
  type ClosedSnapshot,
  type ReadoutQuery,
  type TrialAnalysis,
} from '@trial/readmodel';
import { closedFor } from './closed-memo';
import { heldAt, heldFollowUps, storedTrialDesign } from './held';
import { ReadError } from './read-error';
import { parsedRows, rows, type Sql } from './rows';
import { followUpRow, storedTrialSnapshot } from './stored-rows';

export { ReadError, type ReadErrorCode } from './read-error';
export { followUpsNow, heldAt, type Held } from './held';

export interface TrialListing {
  trialId: string;
  title: string | null;
  arms: string[];
  referenceArm: string | null;
  randomised: number;
  deaths: number;
  eventsApplied: number;
  dataComplete: Completeness;
  informationFraction: number | null;
  updatedAt: string;
}

type ListingRow = { trial_id: string; design: unknown; events_applied: string; updated_at: Date; snapshot: unknown };
const SNAPSHOT = { table: 'rm_readouts', column: 'snapshot' };

/**
 * A snapshot without its closed cells (ClosedCohort, up to megabytes for a large trial): what
 * the listing and the all-cause read-out use, so they neither ship nor parse the cells.
 */
const SNAPSHOT_WITHOUT_CELLS = `case when r.snapshot is null then null else json_build_object('trialId', r.snapshot->'trialId',
  'design', r.snapshot->'design', 'eventsApplied', r.snapshot->'eventsApplied', 'dataComplete', r.snapshot->'dataComplete',
  'cohort', r.snapshot->'cohort') end`;

/** Every trial, from the snapshots (totals only: no read-out is computed for a listing). */
export async function listTrials(sql: Sql): Promise<TrialListing[]> {
  const list = await rows<ListingRow>(
    sql,
    `select t.trial_id, t.design, t.events_applied, t.updated_at, ${SNAPSHOT_WITHOUT_CELLS} as snapshot
     from rm_trials t left join rm_readouts r using (trial_id) order by t.trial_id`,
  );
  return list.map(listing);
}

export async function getTrial(sql: Sql, trialId: string): Promise<TrialListing> {
  const [r] = await rows<ListingRow>(
    sql,
    `select t.trial_id, t.design, t.events_applied, t.updated_at, ${SNAPSHOT_WITHOUT_CELLS} as snapshot
     from rm_trials t left join rm_readouts r using (trial_id) where t.trial_id = $1`,
    [trialId],
  );
  if (!r) throw new ReadError('trial-not-found', `trial ${trialId} is not known`);
  return listing(r);
}

function listing(r: ListingRow): TrialListing {
  const snapshot = r.snapshot === null ? null : storedValue(storedTrialSnapshot, r.snapshot, SNAPSHOT);
  const arms = Object.values(snapshot?.cohort.arms ?? {});
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  const deaths = sum(arms.map((a) => sum(a.d)));
  const design = storedDesign(r.design);
  return {
    trialId: r.trial_id,
    title: design?.title ?? null,
    arms: design?.arms ?? [],
    referenceArm: design?.referenceArm ?? null,
    randomised: sum(arms.map((a) => sum(a.d) + sum(a.c))),
    deaths,
    eventsApplied: Number(r.events_applied),
    dataComplete: snapshot?.dataComplete ?? {},
    informationFraction: design ? Math.min(1, deaths / design.plannedEvents) : null,
    updatedAt: r.updated_at.toISOString(),
  };
}

export interface Moment {
  /** ISO instant: the read models as the pipeline held them then. Absent: now. */
  asOf?: string;
  /** Civil date: administrative censoring (deriveFollowUp's dataCutoff). */
  dataCutoff?: string;
}

export interface HeldAnalysis {
  analysis: TrialAnalysis;
  /** The instant the figures are as of: the last change at or before the requested moment. */
  asOf: string;
}

/**
 * The trial's analysis at a moment. Now, it is computed from the snapshot the projector
 * maintains (its cohort's sufficient statistics, and the closed figures from its ClosedCohort
 * cells: no patient is read). Otherwise it is recomputed from the patients' states as held then
 * (append-only history) with the completeness held then: the same pure functions over the same
 * inputs, so it equals what the pipeline showed. Reads in one repeatable-read snapshot.
 */
export async function analysisAt(
  ds: DataSource,
  trialId: string,
  moment: Moment,
  query: ReadoutQuery,
  opts: { closed?: boolean } = {},
): Promise<HeldAnalysis> {
  return ds.transaction('REPEATABLE READ', async (tx) => {
    const designAsStored = await storedTrialDesign(tx, trialId);
    if (moment.asOf === undefined && moment.dataCutoff === undefined) {
      // The projector's snapshot, unless it is behind the committed patients (crash before flush).
      const [r] = await rows<{ snapshot: unknown; recorded_at: Date; fresh: boolean; version: string }>(
        tx,
        `select ${SNAPSHOT_WITHOUT_CELLS} as snapshot, r.recorded_at, r.version >= t.version as fresh, r.version
         from rm_readouts r join rm_trials t using (trial_id) where trial_id = $1`,
        [trialId],
      );
      if (r?.fresh) {
        const s = storedValue(storedTrialSnapshot, r.snapshot, SNAPSHOT);
        const analysis = analyse(
          TrialCohort.fromSnapshot(s.cohort),
          { trialId, design: storedDesign(s.design), eventsApplied: s.eventsApplied, dataComplete: s.dataComplete },
          query,
        );
        const design = analysis.design;
        if (opts.closed && hasAnalysisPlan(design)) {
          // From the snapshot's closed cells (ClosedCohort, folded beside the cohort; same
          // transaction, so the same version), read and analysed once per version and query
          // (closed-memo.ts). A snapshot written before them, or under another plan, has none:
          // then the follow-ups the snapshot's cohort was folded from.
          const compute = async () => {
            const [c] = await rows<{ closed: ClosedSnapshot | null }>(
              tx,
              `select r.snapshot->'closed' as closed from rm_readouts r where trial_id = $1`,
              [trialId],
            );
            const plan = planOf(design);
            if (c?.closed && c.closed.plan === planKey(plan)) return closedFromCells(design, ClosedCohort.cellsOf(plan, c.closed), query);
            const followUps = await parsedRows(
              tx,
              followUpRow,
              { table: 'rm_patients', column: 'followup' },
              `select followup from rm_patients where trial_id = $1 and followup is not null`,
              [trialId],
            );
            return closedAnalysis(
              design,
              followUps.map((h) => h.followup),
              query,
            );
          };
          const key = { trialId, version: String(r.version), recordedAt: r.recorded_at.toISOString(), query };
          analysis.closed = await closedFor(key, compute);
        }
        return { analysis, asOf: r.recorded_at.toISOString() };
      }
    }
    const held = await heldAt(tx, trialId, moment.asOf);
    const followUps = heldFollowUps(held, moment.dataCutoff);
    const cohort = TrialCohort.of(followUps.map(observationOf));
    const analysis = analyse(
      cohort,
      { trialId, design: storedDesign(designAsStored), eventsApplied: held.eventsApplied, dataComplete: held.completeness },
      query,
    );
    if (opts.closed && hasAnalysisPlan(analysis.design)) analysis.closed = closedAnalysis(analysis.design, followUps, query);
    return { analysis, asOf: held.asOf };
  });
}
