import { DataSource } from 'typeorm';
import { PatientMirror, mirrorOf } from './mirror';
import { PriorChange, refreshTrialPrior } from './priors';
import { LinkageApplier } from './service';
import { LinkStore } from './store';

type Log = (level: 'error' | 'warn' | 'info' | 'debug', msg: string, fields?: Record<string, unknown>) => void;

/**
 * The λ refresh of every trial of a scope (priors.ts): run every couple of seconds by each
 * instance, so the last λ is applied even when no more messages arrive; each trial is refreshed
 * by one instance at a time (the others find its try-lock taken and skip it). Re-decisions are
 * made by a LinkageApplier confined to that trial, and enqueue their outcome events as a batch
 * would. Returns what moved.
 */
export async function refreshPriors(
  ds: DataSource,
  scope: string,
  outcomesTopic: string,
  now: () => string,
  log: Log,
  mirror: PatientMirror = mirrorOf(scope),
): Promise<PriorChange[]> {
  await ds.transaction((tx) => mirror.refresh(new LinkStore(tx, scope)));
  const changes: PriorChange[] = [];
  for (const trialId of mirror.engine.trialIds()) {
    changes.push(
      ...(await refreshTrialPrior(ds, scope, trialId, mirror.engine, async (tx, refs) => {
        const a = new LinkageApplier(tx, scope, outcomesTopic, now(), log, { mirror, writer: `prior:${trialId}`, trials: new Set([trialId]) });
        await a.begin();
        await a.redecide(refs, 'prior');
        await a.finish();
      })),
    );
  }
  return changes;
}
