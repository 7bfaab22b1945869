import type { DeathWithdrawn, RegistrySource, Sex } from '@trial/contracts';
import type { CivilDate } from './dates';

/** A registry record is identified by `source:recordId`; its versions supersede each other. */
export type RecordKey = `${RegistrySource}:${string}`;

export function recordKey(source: RegistrySource, recordId: string): RecordKey {
  return `${source}:${recordId}`;
}

interface RecordRef {
  source: RegistrySource;
  recordId: string;
  version: number;
}

/**
 * The latest known version of one registry record linked to the patient. Keeping only the
 * latest version per record (rather than a list of events) is what makes amendments and
 * cancellations replace, not add to, what came before.
 */
export type RegistryFact =
  | (RecordRef & {
      kind: 'death';
      dateOfDeath: CivilDate;
      from: 'DeathLinked' | 'DeathAmended';
      /**
       * The registry's underlying cause (ICD-10) as this version gives it, so an amendment that
       * recodes the cause replaces it and a cancellation drops it with the death.
       * Absent (read as null) in facts stored before it was kept.
       */
      underlyingCause?: string | null;
    })
  | (RecordRef & { kind: 'death-withdrawn'; reason: DeathWithdrawn['reason'] })
  | (RecordRef & { kind: 'embarkation'; eventDate: CivilDate })
  | (RecordRef & { kind: 're-entry'; eventDate: CivilDate })
  | (RecordRef & { kind: 'no-trace' });

export interface Randomisation {
  eventId: string;
  arm: string;
  site: string;
  randomisedOn: CivilDate;
  /**
   * PatientRandomised v2's stratum and covariate values (v1 upcasts to none). Optional because
   * states stored before they were kept lack them; they read as none until the read models are replayed.
   */
  strata?: Readonly<Record<string, string>>;
  covariates?: Readonly<Record<string, string>>;
}

/**
 * One patient's follow-up facts. Plain data (no Map/Set/Date) so a projector can store it as
 * JSON. Each field is folded so that events from the two topics commute: maxima, minima and
 * per-record latest versions, never "the last event seen".
 */
export interface PatientState {
  trialId: string | null;
  patientId: string | null;
  randomisation: Randomisation | null;
  /** Current identifiers: they decide which registry covers the patient. */
  nhsNumber: string | null;
  chiNumber: string | null;
  /**
   * Current date of birth and sex (PatientRandomised, then corrections), for the age at
   * randomisation and the sex an analysis uses; optional because states stored before they were
   * kept lack them.
   */
  dateOfBirth?: CivilDate | null;
  sex?: Sex | null;
  /**
   * Every date the trial saw the patient alive, sorted, without repeats. All of them, not just
   * the latest, because a data cutoff or a withdrawal can make the latest one irrelevant.
   */
  seenAlive: readonly CivilDate[];
  /** Earliest effective date of consent withdrawal. */
  withdrawnOn: CivilDate | null;
  records: Readonly<Record<RecordKey, RegistryFact>>;
  /** Records the linkage service flagged as conflicting death records (informational). */
  conflicts: readonly RecordKey[];
}

/**
 * The fact held for a record, read as an own key only. `records` is plain data (stored as
 * JSON), so the lookup is what keeps it a dictionary: keys are `SOURCE:id` and cannot name a
 * prototype property today, and no read through here will if that ever changes.
 */
export function heldFact(state: PatientState, key: RecordKey): RegistryFact | undefined {
  return Object.hasOwn(state.records, key) ? state.records[key] : undefined;
}

export const initialState: PatientState = {
  trialId: null,
  patientId: null,
  randomisation: null,
  nhsNumber: null,
  chiNumber: null,
  dateOfBirth: null,
  sex: null,
  seenAlive: [],
  withdrawnOn: null,
  records: {},
  conflicts: [],
};
