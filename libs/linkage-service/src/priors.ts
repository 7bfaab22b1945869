import { DataSource, EntityManager } from 'typeorm';
import { LinkDecision, LinkageEngine, LinkageModel, PriorCounts, estimatePrior } from '@trial/linkage';
import { LinkStore } from './store';

/**
 * λ in the live service: estimated per (trial, source) from the records and
 * patients the service holds, with prior.ts `estimatePrior` (the same estimate `followup link`
 * makes for a file), kept current as patients are randomised and extracts arrive.
 *
 * Counts: each writer (a partition's owner) adds its changes to its own rows of
 * lk_prior_counts in its batch's transaction, so instances never contend; λ reads the sum.
 * Patients are counted from the in-memory index.
 *
 * When λ moves on its grid, the decisions it can change are re-decided, so that the final state
 * is the one deciding every record under the final λ would give. A decision depends on λ only
 * through its best candidate's weight against the two thresholds: a deterministic match, the
 * runner-up's margin and the cross-trial rule do not move with it. The service keeps, per record
 * and trial, the best candidate's prior-free weight (weight − log2(λ/(1−λ))) wherever that
 * could ever reach the review threshold (λ ≤ 0.5, so where it is ≥ review), and re-decides the
 * records whose weight crosses a threshold between the old λ and the new.
 */

const logit2 = (p: number): number => Math.log2(p / (1 - p));
/** Weights in decisions are rounded to 0.01: a band this much wider catches every record on the edge. */
const EDGE = 0.02;

/**
 * The best candidate's weight without the prior's share, when λ can move the decision: a
 * probabilistic decision with a candidate whose weight could reach the review threshold. Null
 * otherwise (nothing for a change of λ to re-decide).
 */
export function priorFreeWeight(d: LinkDecision, model: LinkageModel): number | null {
  if (d.method !== 'probabilistic' || d.weight === null) return null;
  const w = d.weight - logit2(d.prior);
  return w >= model.thresholds.review - EDGE ? w : null;
}

/** The prior-free weights whose decision can differ between the prior weights `from` and `to` (log2 odds). */
export function bandsBetween(model: LinkageModel, from: number, to: number): Array<[number, number]> {
  const lo = Math.min(from, to);
  const hi = Math.max(from, to);
  return [model.thresholds.review, model.thresholds.link].map((t): [number, number] => [t - hi - EDGE, t - lo + EDGE]);
}

/** The counts λ of (trial, source) is estimated from: the writers' sums and the index's patients. */
export async function priorCounts(
  tx: EntityManager,
  scope: string,
  engine: LinkageEngine,
  trialId: string,
  source: 'ONS' | 'NRS',
): Promise<PriorCounts> {
  const [row] = (await tx.query(
    `select coalesce(sum(records) filter (where trial_id = ''), 0)::float8 as records,
       coalesce(sum(records_with_number) filter (where trial_id = ''), 0)::float8 as "recordsWithNumber",
       coalesce(sum(deterministic) filter (where trial_id = $3), 0)::float8 as deterministic
     from lk_prior_counts where scope = $1 and source = $2 and trial_id in ('', $3)`,
    [scope, source, trialId],
  )) as Array<{ records: number; recordsWithNumber: number; deterministic: number }>;
  return { ...row, ...engine.patientCounts(trialId, source) };
}

/** What one λ refresh of a trial did. */
export interface PriorChange {
  trialId: string;
  source: 'ONS' | 'NRS';
  from: number;
  to: number;
  redecided: number;
}

/**
 * One trial's λ refresh, in its own transaction, by one instance at a time (a try-lock per
 * scope and trial: the others skip it): λ re-estimated for each source; where it moved, the
 * new value stored (an exclusive lock, so it waits for every decision made under the old one to
 * commit) and the records it can change re-decided by `redecide` in the same transaction.
 */
export async function refreshTrialPrior(
  ds: DataSource,
  scope: string,
  trialId: string,
  engine: LinkageEngine,
  redecide: (tx: EntityManager, refs: Array<{ source: string; recordId: string }>, model: LinkageModel) => Promise<void>,
): Promise<PriorChange[]> {
  // The rows first, in a transaction of their own: an insert held to the end of the refresh
  // would make a batch creating the same rows wait for it while it waits for that batch's records.
  await ds.transaction(async (tx) => {
    const model = await new LinkStore(tx, scope).activeModel();
    await tx.query(
      `insert into lk_priors (scope, trial_id, source, prior, weight, basis)
       select $1, $2, s, $3, $4, 'model' from unnest(array['ONS', 'NRS']) s on conflict do nothing`,
      [scope, trialId, model.prior, logit2(model.prior)],
    );
  });
  return ds.transaction(async (tx) => {
    const [lock] = (await tx.query('select pg_try_advisory_xact_lock(hashtext($1), hashtext($2)) as ok', [`lk-prior:${scope}`, trialId])) as Array<{
      ok: boolean;
    }>;
    if (!lock.ok) return [];
    const store = new LinkStore(tx, scope);
    const model = await store.activeModel();
    const estimates = new Map<string, ReturnType<typeof estimatePrior>>();
    for (const source of ['ONS', 'NRS'] as const)
      estimates.set(source, estimatePrior(await priorCounts(tx, scope, engine, trialId, source), model.prior));
    const current = async (lock: boolean) =>
      new Map(
        (
          (await tx.query(
            `select source, prior from lk_priors where scope = $1 and trial_id = $2 order by trial_id, source${lock ? ' for update' : ''}`,
            [scope, trialId],
          )) as Array<{ source: string; prior: number }>
        ).map((r) => [r.source, r.prior]),
      );
    // Unchanged (the usual case): no lock, so the batches deciding meanwhile never wait.
    const seen = await current(false);
    if ([...estimates].every(([source, e]) => seen.get(source) === e.prior)) return [];
    // Both sources' rows in one statement, in the order decisions share-lock them (no deadlock).
    const locked = await current(true);
    const changes: PriorChange[] = [];
    const refs: Array<{ source: string; recordId: string }> = [];
    for (const source of ['ONS', 'NRS'] as const) {
      const est = estimates.get(source) as ReturnType<typeof estimatePrior>;
      const cur = locked.get(source);
      if (cur === undefined || cur === est.prior) continue;
      await tx.query(
        `update lk_priors set prior = $4, weight = $5, basis = $6, counts = $7, updated_at = now() where scope = $1 and trial_id = $2
          and source = $3`,
        [scope, trialId, source, est.prior, logit2(est.prior), est.basis, JSON.stringify(est.counts)],
      );
      const bands = bandsBetween(model, logit2(cur), logit2(est.prior));
      const rows = (await tx.query(
        `select record_id as "recordId" from lk_prior_weights where scope = $1 and trial_id = $2 and source = $3
           and (weight between $4 and $5 or weight between $6 and $7) order by record_id`,
        [scope, trialId, source, bands[0][0], bands[0][1], bands[1][0], bands[1][1]],
      )) as Array<{ recordId: string }>;
      for (const r of rows) refs.push({ source, recordId: r.recordId });
      changes.push({ trialId, source, from: cur, to: est.prior, redecided: rows.length });
    }
    if (refs.length) await redecide(tx, refs, model);
    return changes;
  });
}
