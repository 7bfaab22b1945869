import type { RegistrySource } from '@trial/contracts';
import {
  deriveFollowUp,
  followupDecider,
  replay,
  type Completeness,
  type DeriveOptions,
  type FollowUp,
  type FollowupEvent,
  type PatientState,
} from '../src';

/** Event builders for one patient (BCIS-1 / P1), randomised 2006-03-14 unless told otherwise. */
export const TRIAL = 'BCIS-1';
export const PATIENT = 'P1';
export const RANDOMISED_ON = '2006-03-14';

let seq = 0;
const id = (): string => `e${++seq}`;
const patient = { v: 1 as const, trialId: TRIAL, patientId: PATIENT };
const outcome = { ...patient, occurredAt: '2011-10-03T09:00:00Z' };

export function randomised(over: { on?: string; nhsNumber?: string | null; chiNumber?: string | null; eventId?: string } = {}): FollowupEvent {
  return {
    ...patient,
    v: 2,
    type: 'PatientRandomised',
    eventId: over.eventId ?? id(),
    arm: 'IABP',
    site: 'KCH',
    strata: {},
    covariates: {},
    randomisedOn: over.on ?? RANDOMISED_ON,
    nhsNumber: over.nhsNumber === undefined ? '9434765919' : over.nhsNumber,
    chiNumber: over.chiNumber === undefined ? null : over.chiNumber,
    dateOfBirth: '1941-02-03',
    sex: 'M',
    familyName: 'Smith',
    givenNames: 'John Paul',
    postcode: 'SE1 7EH',
  };
}
export const corrected = (changes: { nhsNumber?: string | null; chiNumber?: string | null }): FollowupEvent => ({
  ...patient,
  type: 'PatientDetailsCorrected',
  eventId: id(),
  changes,
});
export const seenAlive = (seenOn: string): FollowupEvent => ({ ...patient, type: 'PatientSeenAlive', eventId: id(), seenOn });
export const withdrew = (effectiveOn: string): FollowupEvent => ({ ...patient, type: 'ConsentWithdrawn', eventId: id(), effectiveOn });

const ref = (recordId: string, version: number, source: RegistrySource) => ({ source, recordId, version });
export const deathLinked = (recordId: string, dateOfDeath: string, version = 1, source: RegistrySource = 'ONS'): FollowupEvent => ({
  ...outcome,
  type: 'DeathLinked',
  eventId: id(),
  ...ref(recordId, version, source),
  dateOfDeath,
  underlyingCause: 'I21.9',
  evidence: { method: 'deterministic', modelVersion: 'm1', weight: null, fields: {} },
});
export const deathAmended = (recordId: string, dateOfDeath: string, version: number, source: RegistrySource = 'ONS'): FollowupEvent => ({
  ...outcome,
  type: 'DeathAmended',
  eventId: id(),
  ...ref(recordId, version, source),
  dateOfDeath,
  underlyingCause: 'I21.9',
});
export const deathWithdrawn = (
  recordId: string,
  version: number,
  reason: 'cancelled' | 'relinked' | 'review-rejected' = 'cancelled',
  source: RegistrySource = 'ONS',
): FollowupEvent => ({
  ...outcome,
  type: 'DeathWithdrawn',
  eventId: id(),
  ...ref(recordId, version, source),
  reason,
});
export const embarked = (recordId: string, eventDate: string, version = 1, source: RegistrySource = 'ONS'): FollowupEvent => ({
  ...outcome,
  type: 'Embarked',
  eventId: id(),
  ...ref(recordId, version, source),
  eventDate,
});
export const reEntered = (recordId: string, eventDate: string, version = 1, source: RegistrySource = 'ONS'): FollowupEvent => ({
  ...outcome,
  type: 'ReEntered',
  eventId: id(),
  ...ref(recordId, version, source),
  eventDate,
});
export const noTrace = (recordId = 'N1', version = 1, source: RegistrySource = 'ONS'): FollowupEvent => ({
  ...outcome,
  type: 'NoTraceFlagged',
  eventId: id(),
  ...ref(recordId, version, source),
});

/** given(events).derive(completeness, options): the follow-up, failing the test if not randomised. */
export function given(...events: FollowupEvent[]) {
  const state: PatientState = replay(events);
  return {
    state,
    derive(completeness: Completeness = {}, options: DeriveOptions = {}): FollowUp {
      const r = deriveFollowUp(state, completeness, options);
      if (!r.ok) throw new Error(r.error.reason);
      return r.value;
    },
  };
}

/** Folds events through the follow-up decider, skipping refused ones, and returns state and refusals. */
export function admitAll(events: readonly FollowupEvent[]) {
  let held = followupDecider.initialState();
  const refused: string[] = [];
  for (const event of events) {
    const r = followupDecider.decide({ type: 'AdmitEvent', event }, held);
    if (r.ok) held = r.value.reduce(followupDecider.evolve, held);
    else refused.push(r.error.code);
  }
  return { state: held.state, refused };
}

export const ONS_COMPLETE = '2011-09-30';
