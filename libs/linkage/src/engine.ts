import { blockingKeys, LinkageIndex } from './blocking';
import { LinkDecision, OwnerElsewhere, deterministicMatches } from './decide';
import { LinkageModel } from './model';
import { PatientIdentity, PreparedPatient, PreparedRecord } from './person';

/** A patient as the engine holds it: the identity, prepared once, and when consent was withdrawn. */
export interface EnginePatient {
  identity: PatientIdentity;
  prepared: PreparedPatient;
  withdrawnOn: string | null;
}

/** One trial's decision for a record, and whether the record matches one of its patients by the deterministic rule. */
export interface TrialDecision {
  trialId: string;
  decision: LinkDecision;
  deterministic: boolean;
}

interface Trial {
  index: LinkageIndex;
  patients: Map<string, EnginePatient>;
}

/**
 * The linkage engine over several trials: one LinkageIndex per trial (the same index and the
 * same `decidePrepared` as `followup link`), and for each record its deterministic owners in
 * every trial, which each trial's decision is told about as `ownersElsewhere`.
 *
 * Why per trial: a record is decided in each trial on that trial's candidates only (a patient
 * is a different person in each trial's stream), and λ is estimated per trial (prior.ts), so
 * each trial's index also counts its patients and those holding each registry's number.
 * Pure and synchronous: the caller keeps it current (the live service from Postgres).
 */
export class LinkageEngine {
  private readonly trials = new Map<string, Trial>();

  trialIds(): string[] {
    return [...this.trials.keys()].sort();
  }

  patient(trialId: string, patientId: string): EnginePatient | null {
    return this.trials.get(trialId)?.patients.get(patientId) ?? null;
  }

  /** Patients of a trial, and of those how many hold a valid number of the registry's kind (prior.ts PriorCounts). */
  patientCounts(trialId: string, source: 'ONS' | 'NRS'): { patients: number; patientsWithNumber: number } {
    const t = this.trials.get(trialId);
    if (!t) return { patients: 0, patientsWithNumber: 0 };
    return { patients: t.patients.size, patientsWithNumber: t.index.patientsWithNumber(source) };
  }

  /** Adds or replaces a patient. */
  upsertPatient(trialId: string, identity: PatientIdentity, withdrawnOn: string | null): void {
    let t = this.trials.get(trialId);
    if (!t) this.trials.set(trialId, (t = { index: new LinkageIndex(), patients: new Map() }));
    t.index.upsertPatient(identity);
    // Prepared once, by the index.
    t.patients.set(identity.patientId, { identity, prepared: t.index.prepared(identity.patientId) as PreparedPatient, withdrawnOn });
  }

  removePatient(trialId: string, patientId: string): void {
    const t = this.trials.get(trialId);
    const old = t?.patients.get(patientId);
    if (!t || !old) return;
    t.index.removePatient(patientId);
    t.patients.delete(patientId);
    if (t.patients.size === 0) this.trials.delete(trialId);
  }

  /**
   * The record's deterministic matches in every trial (isDeterministicMatch). Only patients
   * sharing the record's valid number can match so, and they share its `n:`/`c:` blocking key.
   */
  owners(record: PreparedRecord, keys: readonly string[] = blockingKeys(record)): OwnerElsewhere[] {
    const numberKeys = keys.filter((k) => k.startsWith('n:') || k.startsWith('c:'));
    const out: OwnerElsewhere[] = [];
    if (!numberKeys.length) return out;
    for (const [trialId, t] of this.trials) {
      for (const p of deterministicMatches(record, t.index.patientsUnder(numberKeys))) out.push({ trialId, patientId: p.patientId });
    }
    return out;
  }

  /**
   * Decides a record in every trial where it has a candidate, and in `alsoIn` (trials where it
   * stood linked or in review before, whose candidates may have gone). Each trial's decision is
   * `LinkageIndex.decidePrepared` with `{ maxCandidates, ownersElsewhere, prior }`: the record's
   * deterministic owners in the other trials, and that trial's λ (`priorOf`). Sorted by trial.
   */
  decide(
    record: PreparedRecord,
    model: LinkageModel,
    priorOf: (trialId: string) => number,
    options: {
      keys?: readonly string[];
      alsoIn?: Iterable<string>;
      only?: ReadonlySet<string>;
      maxCandidates?: number;
      /**
       * `links-and-reviews`: the candidates list (evidence) only where the decision links or
       * reviews. The record is first decided as `followup link` decides it (maxCandidates 0:
       * the same decision, patient, weight and fields, with fewer name comparisons; table.ts),
       * and again with `maxCandidates` only when that is not `unlinked`. Default `all`.
       */
      evidence?: 'all' | 'links-and-reviews';
    } = {},
  ): TrialDecision[] {
    const keys = options.keys ?? blockingKeys(record);
    const owners = this.owners(record, keys);
    const maxCandidates = options.maxCandidates ?? 5;
    const also = new Set(options.alsoIn ?? []);
    const out: TrialDecision[] = [];
    const trialIds = [...new Set([...this.trials.keys(), ...also])].sort();
    for (const trialId of trialIds) {
      if (options.only && !options.only.has(trialId)) continue;
      const t = this.trials.get(trialId);
      const ownersElsewhere = owners.filter((o) => o.trialId !== trialId);
      const prior = priorOf(trialId);
      let decision: LinkDecision;
      if (!t) decision = emptyDecision(model, prior);
      else if (options.evidence === 'links-and-reviews') {
        decision = t.index.decidePrepared(record, keys, model, { maxCandidates: 0, ownersElsewhere, prior });
        if (decision.decision !== 'unlinked') decision = t.index.decidePrepared(record, keys, model, { maxCandidates, ownersElsewhere, prior });
      } else decision = t.index.decidePrepared(record, keys, model, { maxCandidates, ownersElsewhere, prior });
      // No candidate at all (weight null): nothing to decide here unless a link state is to be undone.
      if (decision.weight === null && !also.has(trialId)) continue;
      out.push({ trialId, decision, deterministic: owners.some((o) => o.trialId === trialId) });
    }
    return out;
  }
}

/** The decision with no candidate at all (what decide returns for an empty set). */
export function emptyDecision(model: LinkageModel, prior: number): LinkDecision {
  return unlinkedUnder(model.version, prior);
}

/**
 * What a ranking sink returns where it keeps only the ranking and concludes later (or never):
 * `followup link`'s deferred pass and the benchmark scripts. A placeholder, never read.
 */
export const PLACEHOLDER_DECISION: LinkDecision = unlinkedUnder('', 0);

function unlinkedUnder(modelVersion: string, prior: number): LinkDecision {
  return {
    decision: 'unlinked',
    patientId: null,
    weight: null,
    modelVersion,
    prior,
    method: 'probabilistic',
    reason: null,
    fields: {},
    candidates: [],
    competing: [],
  };
}
