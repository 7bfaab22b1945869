import { afterWithdrawal, daysBetween, type RegistrySource, type Result, type Sex } from '@trial/contracts';
import type { Completeness } from './completeness';
import { covariatesOf } from './covariates';
import { maxDate, type CivilDate } from './dates';
import { censorPriority, cnsrOf, type CensorReason, type Cnsr, type EndReason } from './reasons';
import type { PatientState, RegistryFact } from './state';

export interface DeriveOptions {
  /** Administrative cutoff (civil date): censor everyone here at the latest, ignore later facts. */
  dataCutoff?: CivilDate;
}

/**
 * Where the end date came from, for ADTTE's SRCDOM/SRCVAR: the event type (or `DataCutoff` for
 * the analysis parameter) and its field, so a reviewer can trace the date back to the log.
 */
export interface DateSource {
  domain: string;
  variable: string;
}

export type FollowUpFlag =
  /** The end date is before randomisation; time was clamped to 0. */
  | 'ends-before-randomisation'
  /** Neither an NHS nor a CHI number: no registry covers the patient. */
  | 'no-registry-identifier'
  /** The covering registry has not reported completeness yet: censored at last known alive. */
  | 'registry-completeness-unknown'
  /** A live death record is dated after an embarkation without re-entry, so it did not count. */
  | 'death-after-embarkation';

export interface FollowUp {
  trialId: string;
  patientId: string;
  arm: string;
  site: string;
  randomisedOn: CivilDate;
  /** Sex and whole years of age at randomisation, from the current (corrected) date of birth; null if not known. */
  sex: Sex | null;
  ageAtRandomisation: number | null;
  /** PatientRandomised v2's stratum and covariate values, keyed by variable name (none for v1). */
  strata: Record<string, string>;
  covariates: Record<string, string>;
  /**
   * ICD-10 underlying cause of the death that counts (status 1), as its latest version gives
   * it; null when censored or when the registry gave none. Endpoints read it (endpoints.ts).
   */
  underlyingCause: string | null;
  /** The date of death or censoring as recorded. */
  endDate: CivilDate;
  /** `endDate`, or `randomisedOn` if that is later: the date `time` is counted to (ADTTE ADT). */
  analysisDate: CivilDate;
  /** Whole days from randomisation to `analysisDate`; never negative. */
  time: number;
  status: 0 | 1;
  reason: EndReason;
  cnsr: Cnsr;
  /** The registry that covers the patient (ONS for an NHS number, else NRS for a CHI number). */
  registry: RegistrySource | null;
  source: DateSource;
  /** The candidate dates the result was chosen from (null where none applies). */
  dates: {
    /**
     * Earliest live death record on or before the data cutoff and withdrawal, whether or not it
     * counted (it does not after an open embarkation). Later ones are not shown: the analysis
     * ignores them (the withdrawal rule, @trial/contracts `afterWithdrawal`).
     */
    deathOn: CivilDate | null;
    registryCompleteUpTo: CivilDate | null;
    lastKnownAlive: CivilDate;
    /** Embarkation without a later re-entry (within the data cutoff and withdrawal). */
    embarkedOn: CivilDate | null;
    withdrawnOn: CivilDate | null;
    dataCutoff: CivilDate | null;
  };
  flags: FollowUpFlag[];
}

export interface NotRandomised {
  code: 'not-randomised';
  reason: string;
}

interface Candidate {
  date: CivilDate;
  reason: CensorReason;
  source: DateSource;
}

/**
 * Derives one patient's `(time, status, reason, dates)` (feeds.md).
 *
 * Death: status 1 at the earliest live death record's date, unless it is after the data
 * cutoff, after consent withdrawal, or after an embarkation with no re-entry. Otherwise
 * censored at the earliest of the covering registry's `completeUpTo`, an embarkation without
 * re-entry, consent withdrawal, the last date known alive if the registry cannot trace them,
 * and the data cutoff.
 *
 * Choices made where the rules are silent:
 * - No `completeUpTo` yet from the covering registry (or no identifier at all): censor at the
 *   last date known alive (randomisation or the latest visit), reason registry cutoff. Without
 *   a completeness date nothing says the patient is alive any later, and censoring at "today"
 *   would count unregistered deaths as survival time.
 * - Facts dated after the data cutoff or after consent withdrawal (visits, deaths, embarkations,
 *   re-entries) are ignored, so a re-entry after withdrawal cannot reopen follow-up that the
 *   embarkation had already ended (`afterWithdrawal`, the rule the linkage service applies too).
 * - A death counts even if it is after the registry's `completeUpTo` (the event is at the date
 *   of death). For an analysis free of that registration-lag bias, pass a
 *   `dataCutoff` no later than the registries' completeness.
 * - Same-day ties: a death on the day of embarkation, withdrawal or the cutoff counts (it is not
 *   "after"); a same-day re-entry closes an embarkation; coinciding censoring dates report the
 *   most specific reason (see `censorPriority`).
 * - A date before randomisation (a mislinked record, an old embarkation) gives time 0, never
 *   negative: survival software rejects negative times, and the trial cannot vouch for any
 *   follow-up of such a patient. The recorded date stays in `endDate` and the row is flagged.
 */
export function deriveFollowUp(state: PatientState, completeness: Completeness, options: DeriveOptions = {}): Result<FollowUp, NotRandomised> {
  const r = state.randomisation;
  if (r === null || state.trialId === null || state.patientId === null) {
    return { ok: false, error: { code: 'not-randomised', reason: `no PatientRandomised for ${state.trialId}:${state.patientId}` } };
  }
  const cutoff = options.dataCutoff ?? null;
  const withdrawnOn = state.withdrawnOn !== null && (cutoff === null || state.withdrawnOn <= cutoff) ? state.withdrawnOn : null;
  const within = (d: CivilDate): boolean => !afterWithdrawal(withdrawnOn, d) && (cutoff === null || d <= cutoff);

  const facts = Object.values(state.records);
  const flags: FollowUpFlag[] = [];
  const registry = coveringRegistry(state);
  const completeUpTo = registry === null ? null : (completeness[registry] ?? null);
  if (registry === null) flags.push('no-registry-identifier');
  else if (completeUpTo === null) flags.push('registry-completeness-unknown');

  const seen = state.seenAlive.filter(within);
  const lastSeen = seen.length > 0 ? seen[seen.length - 1] : null;
  const lastKnownAlive = maxDate(r.randomisedOn, lastSeen);
  const aliveSource: DateSource =
    lastKnownAlive === lastSeen ? { domain: 'PatientSeenAlive', variable: 'seenOn' } : { domain: 'PatientRandomised', variable: 'randomisedOn' };
  const embarkedOn = openEmbarkation(facts.filter((f) => 'eventDate' in f && within(f.eventDate)));
  const death = earliestDeath(facts.filter((f) => f.kind === 'death' && within(f.dateOfDeath)));

  const dates: FollowUp['dates'] = {
    deathOn: death?.dateOfDeath ?? null,
    registryCompleteUpTo: completeUpTo,
    lastKnownAlive,
    embarkedOn: embarkedOn?.eventDate ?? null,
    withdrawnOn,
    dataCutoff: cutoff,
  };
  const cov = covariatesOf(state);
  const base: Base = {
    trialId: state.trialId,
    patientId: state.patientId,
    arm: r.arm,
    site: r.site,
    randomisedOn: r.randomisedOn,
    registry,
    dates,
    sex: cov.sex,
    ageAtRandomisation: cov.ageAtRandomisation,
    strata: cov.strata,
    covariates: cov.covariates,
    underlyingCause: null,
  };

  if (death !== null) {
    if (embarkedOn === null || death.dateOfDeath <= embarkedOn.eventDate) {
      base.underlyingCause = death.underlyingCause ?? null;
      return { ok: true, value: finish(base, death.dateOfDeath, 'death', { domain: death.from, variable: 'dateOfDeath' }, flags) };
    }
    flags.push('death-after-embarkation');
  }

  const candidates: Candidate[] = [
    completeUpTo !== null
      ? { date: completeUpTo, reason: 'registry-cutoff', source: { domain: 'RegistryExtractCompleted', variable: 'completeUpTo' } }
      : { date: lastKnownAlive, reason: 'registry-cutoff', source: aliveSource },
  ];
  if (embarkedOn !== null) candidates.push({ date: embarkedOn.eventDate, reason: 'embarked', source: { domain: 'Embarked', variable: 'eventDate' } });
  if (withdrawnOn !== null) {
    candidates.push({ date: withdrawnOn, reason: 'withdrew', source: { domain: 'ConsentWithdrawn', variable: 'effectiveOn' } });
  }
  if (facts.some((f) => f.kind === 'no-trace')) candidates.push({ date: lastKnownAlive, reason: 'not-traced', source: aliveSource });
  if (cutoff !== null) candidates.push({ date: cutoff, reason: 'data-cutoff', source: { domain: 'DataCutoff', variable: 'dataCutoff' } });

  const end = candidates.reduce((a, b) => (b.date < a.date || (b.date === a.date && censorPriority(b.reason) < censorPriority(a.reason)) ? b : a));
  return { ok: true, value: finish(base, end.date, end.reason, end.source, flags) };
}

/** ONS covers an NHS number, NRS a CHI number; an NHS number wins if the patient has both. */
export function coveringRegistry(state: Pick<PatientState, 'nhsNumber' | 'chiNumber'>): RegistrySource | null {
  if (state.nhsNumber !== null) return 'ONS';
  if (state.chiNumber !== null) return 'NRS';
  return null;
}

type Base = Pick<
  FollowUp,
  | 'trialId'
  | 'patientId'
  | 'arm'
  | 'site'
  | 'randomisedOn'
  | 'registry'
  | 'dates'
  | 'sex'
  | 'ageAtRandomisation'
  | 'strata'
  | 'covariates'
  | 'underlyingCause'
>;

function finish(base: Base, endDate: CivilDate, reason: EndReason, source: DateSource, flags: FollowUpFlag[]): FollowUp {
  const analysisDate = maxDate(endDate, base.randomisedOn);
  if (endDate < base.randomisedOn) flags.push('ends-before-randomisation');
  // Field by field, in the order the object spread gave: replay derives half a million of these,
  // and copying an object literal built with a spread was the slowest part of the derivation.
  return {
    trialId: base.trialId,
    patientId: base.patientId,
    arm: base.arm,
    site: base.site,
    randomisedOn: base.randomisedOn,
    registry: base.registry,
    dates: base.dates,
    sex: base.sex,
    ageAtRandomisation: base.ageAtRandomisation,
    strata: base.strata,
    covariates: base.covariates,
    underlyingCause: base.underlyingCause,
    endDate,
    analysisDate,
    time: daysBetween(base.randomisedOn, analysisDate),
    status: reason === 'death' ? 1 : 0,
    reason,
    cnsr: cnsrOf(reason),
    source,
    flags,
  };
}

type DeathFact = Extract<RegistryFact, { kind: 'death' }>;
type TravelFact = Extract<RegistryFact, { kind: 'embarkation' | 're-entry' }>;

/** The earliest live (not withdrawn) death record; ties broken by record key for determinism. */
function earliestDeath(facts: readonly RegistryFact[]): DeathFact | null {
  let best: DeathFact | null = null;
  for (const f of facts) {
    if (f.kind !== 'death') continue;
    if (
      best === null ||
      f.dateOfDeath < best.dateOfDeath ||
      (f.dateOfDeath === best.dateOfDeath && `${f.source}:${f.recordId}` < `${best.source}:${best.recordId}`)
    )
      best = f;
  }
  return best;
}

/**
 * The embarkation still open at the end: walking trips in date order, an embarkation opens
 * (if none is open) and a re-entry on or after it closes. A re-entry with no embarkation before
 * it is ignored (that trip began before the registry linked the patient).
 */
function openEmbarkation(facts: readonly RegistryFact[]): TravelFact | null {
  const trips = facts
    .filter((f): f is TravelFact => f.kind === 'embarkation' || f.kind === 're-entry')
    .sort((a, b) =>
      a.eventDate === b.eventDate ? (a.kind === 'embarkation' ? -1 : 1) - (b.kind === 'embarkation' ? -1 : 1) : a.eventDate < b.eventDate ? -1 : 1,
    );
  let open: TravelFact | null = null;
  for (const t of trips) {
    if (t.kind === 'embarkation') open ??= t;
    else open = null;
  }
  return open;
}
