import { RegistrySource } from '@trial/contracts';
import { Arm, Patient } from './cohort';
import { daysBetween } from './dates';
import { Extract, RegistryRow } from './registry';

export type Reason = 'death' | 'end-of-follow-up' | 'embarked' | 'consent-withdrawn' | 'no-trace';

export interface Outcome {
  patientId: string;
  arm: Arm;
  site: string;
  source: RegistrySource;
  randomisedOn: string;
  /** Days from randomisation to the death or the censoring date. */
  time: number;
  status: 0 | 1;
  reason: Reason;
  endOn: string;
}

export interface TrialFacts {
  withdrawnOn: Map<string, string>;
  lastSeenAlive: Map<string, string>;
}

/**
 * The answer the pipeline should reach, worked out from the extracts as filed (not from the
 * generator's intentions), by the censoring rules of feeds.md: the latest version of each
 * record wins; a cancelled death does not count; an embarkation without a later re-entry
 * censors; no-trace censors at the last sighting; otherwise the final `completeUpTo`.
 */
export function groundTruth(patients: Patient[], extracts: Extract[], facts: TrialFacts): Outcome[] {
  const finalComplete = new Map<RegistrySource, string>();
  const latest = new Map<string, RegistryRow>();
  for (const e of [...extracts].sort((a, b) => (a.extractedOn < b.extractedOn ? -1 : 1))) {
    finalComplete.set(e.source, e.completeUpTo);
    for (const r of e.rows) {
      const id = `${r.source}:${r.recordId}`;
      const seen = latest.get(id);
      if (r.patientId && (!seen || seen.version < r.version)) latest.set(id, r);
    }
  }
  const byPatient = new Map<string, RegistryRow[]>();
  for (const r of latest.values()) byPatient.set(r.patientId as string, [...(byPatient.get(r.patientId as string) ?? []), r]);

  return patients.map((p): Outcome => {
    const source: RegistrySource = p.nhsNumber !== null ? 'ONS' : 'NRS';
    const rows = byPatient.get(p.patientId) ?? [];
    const dated = (kind: RegistryRow['kind']): string[] =>
      rows
        .filter((r) => r.kind === kind)
        .map((r) => (r.eventDate ?? r.dateOfDeath) as string)
        .sort();
    const deaths = dated('death');
    const embarked = dated('embarkation');
    const reEntered = dated('re-entry');
    const lastEmbark = embarked[embarked.length - 1];
    const gone = lastEmbark && !reEntered.some((d) => d > lastEmbark) ? lastEmbark : null;

    const ends: Array<[string, Reason]> = [[finalComplete.get(source) as string, 'end-of-follow-up']];
    if (gone) ends.push([gone, 'embarked']);
    const withdrawn = facts.withdrawnOn.get(p.patientId);
    if (withdrawn) ends.push([withdrawn, 'consent-withdrawn']);
    if (rows.some((r) => r.kind === 'no-trace')) ends.push([facts.lastSeenAlive.get(p.patientId) ?? p.randomisedOn, 'no-trace']);
    const [censorOn, reason] = ends.reduce((a, b) => (b[0] < a[0] ? b : a));

    const base = { patientId: p.patientId, arm: p.arm, site: p.site, source, randomisedOn: p.randomisedOn };
    if (deaths.length && deaths[0] <= censorOn) {
      return { ...base, time: daysBetween(p.randomisedOn, deaths[0]), status: 1, reason: 'death', endOn: deaths[0] };
    }
    return { ...base, time: daysBetween(p.randomisedOn, censorOn), status: 0, reason, endOn: censorOn };
  });
}
