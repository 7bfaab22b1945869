import {
  addDays,
  daysBetween,
  DeathLinked,
  EnrollmentEvent,
  ExtractComplete,
  PatientRandomised,
  RegistryExtractCompleted,
  RegistryRecord,
  ReviewDecided,
  TrialRegistered,
  noPlans,
} from '@trial/contracts';
import { nhsNumberFrom } from '../../apps/cli/src/demo/small-trial';
import { Rng } from './rng';

/**
 * The valid side of the fuzz: a small two-arm trial and its twin. The twin has the same arms,
 * sites, randomisation and death dates but other people (other NHS numbers, names, dates of
 * birth, postcodes, so linkage never sees one as the other's look-alike) and receives only the
 * valid messages: its read-out is what the fuzzed trial's must equal.
 */
export const ARMS = ['control', 'active'] as const;
export const COMPLETE_UP_TO = '2012-12-31';
export const EXTRACTED_ON = '2013-01-10';
const SITES = ['S1', 'S2', 'S3'];
const FIRST_RANDOMISED = '2008-01-01';
const LAST_RANDOMISED = '2010-12-31';
const LAST_DEATH = '2012-12-15';

export type DeathRoute = 'registry' | 'direct';

/** One patient's expected follow-up, the same in the trial and its twin. */
export interface ExpectedPatient {
  patientId: string;
  arm: string;
  site: string;
  randomisedOn: string;
  /** Date of death, or null: censored at COMPLETE_UP_TO. */
  death: string | null;
  /** How the death reaches the projector: a registry notification linked by the linkage service, or an outcome event published directly. */
  route: DeathRoute | null;
  /** Randomised (and, for half the deaths, died) in the set-up phase, before the fuzz. */
  early: boolean;
  deathEarly: boolean;
}

export interface Person {
  nhsNumber: string;
  dateOfBirth: string;
  sex: 'M' | 'F';
  familyName: string;
  givenNames: string;
  postcode: string;
}

export interface TrialPlan {
  trialId: string;
  /** Which of the pair: 'fuzz' gets the bad messages as well, 'twin' only the valid ones. */
  role: 'fuzz' | 'twin';
  design: TrialRegistered;
  people: Map<string, Person>;
}

const SURNAMES = {
  fuzz: ['Abbott', 'Barker', 'Cowell', 'Dunmore', 'Elphick', 'Fairley', 'Gosling', 'Hartnell'],
  twin: ['Quennell', 'Rudge', 'Stannard', 'Tindall', 'Upjohn', 'Varley', 'Wicksteed', 'Yarrow'],
};
const POSTCODES = { fuzz: ['LS1 4AB', 'LS6 2QT', 'LS9 7HX'], twin: ['PL1 2EF', 'PL4 8AA', 'PL6 5DH'] };
const BIRTH_YEARS = { fuzz: [1930, 1941], twin: [1944, 1955] };

/** The expected patients: arm, site, dates and death, drawn from the seed. */
export function expectedPatients(rng: Rng, n: number): ExpectedPatient[] {
  const span = daysBetween(FIRST_RANDOMISED, LAST_RANDOMISED);
  return Array.from({ length: n }, (_, i) => {
    const randomisedOn = addDays(FIRST_RANDOMISED, rng.int(0, span));
    const dies = rng.chance(0.45);
    const death = dies ? addDays(randomisedOn, rng.int(10, daysBetween(randomisedOn, LAST_DEATH))) : null;
    return {
      patientId: `P${String(i + 1).padStart(3, '0')}`,
      arm: ARMS[i % 2],
      site: rng.pick(SITES),
      randomisedOn,
      death,
      route: dies ? (rng.chance(0.75) ? 'registry' : 'direct') : null,
      early: i < Math.ceil(n * 0.6),
      deathEarly: dies && i < Math.ceil(n * 0.6) && rng.chance(0.5),
    };
  });
}

export function trialPlan(rng: Rng, trialId: string, role: 'fuzz' | 'twin', patients: readonly ExpectedPatient[], seed: number): TrialPlan {
  const design: TrialRegistered = {
    v: 2,
    type: 'TrialRegistered',
    ...noPlans(),
    eventId: `${trialId}-registered`,
    trialId,
    title: `fuzz trial (${role})`,
    arms: [...ARMS],
    referenceArm: 'control',
    plannedEvents: 40,
    alpha: 0.05,
    sided: 2,
    looks: [0.5, 1],
    spending: 'obrien-fleming',
  };
  // NHS numbers: the two trials draw from ranges 100 million apart, a seed's run from its own stretch.
  const base = (role === 'fuzz' ? 410_000_000 : 610_000_000) + (Math.abs(seed) % 1000) * 50_000;
  const [y0, y1] = BIRTH_YEARS[role];
  const people = new Map<string, Person>();
  patients.forEach((p, i) => {
    const given = rng.pick(['Ann', 'Bill', 'Carol', 'Dev', 'Edna', 'Frank']);
    people.set(p.patientId, {
      nhsNumber: nhsNumberFrom(base + i * 7919),
      dateOfBirth: `${rng.int(y0, y1)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`,
      sex: rng.chance(0.5) ? 'M' : 'F',
      familyName: `${SURNAMES[role][i % SURNAMES[role].length]}${i}`,
      givenNames: given,
      postcode: rng.pick(POSTCODES[role]),
    });
  });
  return { trialId, role, design, people };
}

export function randomised(t: TrialPlan, p: ExpectedPatient): PatientRandomised {
  const who = t.people.get(p.patientId)!;
  return {
    v: 2,
    type: 'PatientRandomised',
    strata: {},
    covariates: {},
    eventId: `${t.trialId}-${p.patientId}-randomised`,
    trialId: t.trialId,
    patientId: p.patientId,
    arm: p.arm,
    randomisedOn: p.randomisedOn,
    site: p.site,
    nhsNumber: who.nhsNumber,
    chiNumber: null,
    dateOfBirth: who.dateOfBirth,
    sex: who.sex,
    familyName: who.familyName,
    givenNames: who.givenNames,
    postcode: who.postcode,
  };
}

/** The registry's death record for a patient: exact NHS number and date of birth, so it links deterministically. */
export function deathRecord(t: TrialPlan, p: ExpectedPatient, dateOfDeath = p.death!): RegistryRecord {
  const who = t.people.get(p.patientId)!;
  return {
    v: 1,
    source: 'ONS',
    recordId: `${t.trialId}-${p.patientId}-RD`,
    version: 1,
    kind: 'death',
    extractedOn: EXTRACTED_ON,
    nhsNumber: who.nhsNumber,
    chiNumber: null,
    dateOfBirth: who.dateOfBirth,
    sex: who.sex,
    familyName: who.familyName.toUpperCase(),
    givenNames: who.givenNames.toUpperCase(),
    postcode: who.postcode,
    dateOfDeath,
    dateOfRegistration: addDays(dateOfDeath, 5),
    underlyingCause: 'I21.9',
    placeOfDeath: 'hospital',
    eventDate: null,
  };
}

/** A death published straight onto followup.outcomes, as the linkage service would have decided it. */
export function directDeath(t: TrialPlan, p: ExpectedPatient, dateOfDeath = p.death!): DeathLinked {
  return {
    v: 1,
    type: 'DeathLinked',
    eventId: `${t.trialId}-${p.patientId}-direct-death`,
    trialId: t.trialId,
    patientId: p.patientId,
    occurredAt: '2013-01-11T09:00:00.000Z',
    source: 'ONS',
    recordId: `${t.trialId}-${p.patientId}-DD`,
    version: 1,
    dateOfDeath,
    underlyingCause: 'I21.9',
    evidence: { method: 'deterministic', modelVersion: 'fuzz', weight: null, fields: {} },
  };
}

/**
 * A registration of a death 20 days before the patient's randomisation: it matches them exactly,
 * so the linkage service opens a clerical review (death-before-randomisation) instead of
 * linking it; the review is then rejected, and the patient stays alive.
 */
export function deathBeforeRandomisation(t: TrialPlan, p: ExpectedPatient): RegistryRecord {
  return { ...deathRecord(t, p, addDays(p.randomisedOn, -20)), recordId: `${t.trialId}-${p.patientId}-RV` };
}

export function reviewRejected(reviewId: string, t: TrialPlan): ReviewDecided {
  return {
    v: 1,
    type: 'ReviewDecided',
    eventId: `${t.trialId}-review-rejected`,
    occurredAt: '2013-02-01T10:00:00.000Z',
    reviewId,
    decision: 'reject',
    patientId: null,
    reviewer: 'fuzz-reviewer',
    note: 'registered before randomisation',
  };
}

export const extractComplete = (): ExtractComplete => ({
  v: 1,
  source: 'ONS',
  kind: 'extract-complete',
  completeUpTo: COMPLETE_UP_TO,
  extractedOn: EXTRACTED_ON,
});

export const extractCompleted = (tag: string): RegistryExtractCompleted => ({
  v: 1,
  type: 'RegistryExtractCompleted',
  eventId: `${tag}-extract-completed`,
  occurredAt: '2013-01-11T09:00:00.000Z',
  source: 'ONS',
  completeUpTo: COMPLETE_UP_TO,
});

export type { EnrollmentEvent };
