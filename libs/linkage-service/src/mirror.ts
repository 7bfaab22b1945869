import { LinkageEngine } from '@trial/linkage';
import { LinkStore } from './store';

/**
 * One process's copy of a scope's patients: the in-memory engine every decision of this
 * instance runs on (like a Kafka Streams global table, each instance holds every patient).
 * Built on first use from lk_patients, then kept current by reading only the rows changed
 * since (LinkStore.patientChanges), from inside the transaction about to decide, after it has
 * taken its locks: so a decision sees every patient committed before it, whichever instance
 * wrote them.
 *
 * Reads are one at a time, each applied whole before the next starts, so a later read (whose
 * snapshot is newer) never loses to an earlier one. Re-applying a row is harmless.
 */
export class PatientMirror {
  readonly engine = new LinkageEngine();
  /** (trial, source) pairs known to have an lk_priors row (they are never deleted). */
  readonly priorRows = new Set<string>();
  private from = '0';
  private queue: Promise<void> = Promise.resolve();

  refresh(store: LinkStore): Promise<void> {
    const run = this.queue.then(() => this.pull(store));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async pull(store: LinkStore): Promise<void> {
    const { xmin, rows } = await store.patientChanges(this.from);
    for (const r of rows) this.engine.upsertPatient(r.trialId, { ...r.identity, patientId: r.patientId }, r.withdrawnOn);
    this.from = xmin;
  }
}

const mirrors = new Map<string, PatientMirror>();

/** The process's mirror of a scope (scopes are topic prefixes: one database, one set of patients each). */
export function mirrorOf(scope: string): PatientMirror {
  let m = mirrors.get(scope);
  if (!m) mirrors.set(scope, (m = new PatientMirror()));
  return m;
}
