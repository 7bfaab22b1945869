import { noPlans } from '@trial/contracts';
import { createHash } from 'node:crypto';
import type { EnrollmentEvent, RegistryNotification, RegistryRecord } from '@trial/contracts';
import { contentId, nhsNumberFrom } from '../../../apps/cli/src/demo/small-trial';

/**
 * A small two-arm trial for the dashboard's browser test: 40 patients at three sites, deaths
 * in both arms (fewer with IABP), an ONS extract-complete. Deaths come in two batches so the
 * test can watch the page update live and then look back at the first batch with as-of.
 */
export const ARMS = ['control', 'IABP'] as const;

const uuid = contentId;

/**
 * Valid (Modulus 11) NHS numbers, away from the walking skeleton's range. Seeds go up to about
 * 200,000, so the step keeps the first nine digits below 1,000,000,000: with a step of 7,919 most
 * trials' numbers had 11 digits, were invalid, linked only probabilistically, and a trial's deaths
 * could then link to a look-alike in a trial enrolled after it.
 */
const nhsNumber = (seed: number) => nhsNumberFrom(610_000_000 + seed * 1_931);

const NAMES = ['Ahmed', 'Baker', 'Clarke', 'Dawson', 'Evans', 'Fraser', 'Gill', 'Hughes', 'Irving', 'Jenkins'];

interface Patient {
  patientId: string;
  arm: string;
  nhsNumber: string;
  dateOfBirth: string;
  familyName: string;
  randomisedOn: string;
  site: string;
}

function patients(trialId: string): Patient[] {
  const h = hash(trialId);
  return Array.from({ length: 40 }, (_, i) => ({
    patientId: `${trialId}-P${String(i + 1).padStart(3, '0')}`,
    arm: ARMS[(i + 1) % 2], // even indices IABP: the death lists below favour IABP
    nhsNumber: nhsNumber(i + 1 + (h % 5000) * 40),
    // People differ between trials (dates of birth and surnames depend on the trial), so one
    // trial's registry deaths never link to look-alikes randomised in another suite's trial.
    dateOfBirth: `19${35 + ((i + h) % 30)}-${String(((i + h) % 12) + 1).padStart(2, '0')}-${String(((i * 7 + h) % 27) + 1).padStart(2, '0')}`,
    familyName: `${NAMES[(i + h) % 10]}${String.fromCharCode(65 + Math.floor(i / 10))}${String.fromCharCode(65 + (h % 26), 65 + ((h >> 5) % 26))}`,
    randomisedOn: addDays('2007-01-10', i * 13),
    site: ['KCH', 'BHI', 'JRH'][i % 3],
  }));
}

export function enrollments(trialId: string): EnrollmentEvent[] {
  return [
    {
      v: 2,
      type: 'TrialRegistered',
      ...noPlans(),
      eventId: uuid(`${trialId}:trial`),
      trialId,
      title: 'Dashboard test trial',
      arms: [...ARMS],
      referenceArm: 'control',
      plannedEvents: 20,
      alpha: 0.05,
      sided: 2,
      looks: [0.5, 0.75, 1],
      spending: 'obrien-fleming',
      // An analysis plan, so the DSMB page has a stratified HR, a forest plot and a CIF to draw.
      stratificationFactors: ['region'],
      endpoints: [{ code: 'CVDEATH', name: 'Cardiovascular death', icd10: [{ from: 'I00', to: 'I99' }] }],
      subgroups: [
        { variable: 'sex', from: 'sex' },
        { variable: 'age60', from: 'age', cuts: [60] },
        { variable: 'region', from: 'stratum' },
      ],
    },
    ...patients(trialId).map((p): EnrollmentEvent => ({
      v: 2,
      type: 'PatientRandomised',
      strata: { region: REGION[p.site] },
      covariates: {},
      eventId: uuid(`${trialId}:${p.patientId}`),
      trialId,
      patientId: p.patientId,
      arm: p.arm,
      randomisedOn: p.randomisedOn,
      site: p.site,
      nhsNumber: p.nhsNumber,
      chiNumber: null,
      dateOfBirth: p.dateOfBirth,
      sex: i2sex(p),
      familyName: p.familyName,
      givenNames: 'Test',
      postcode: 'SE5 9RS',
    })),
  ];
}

/** Deaths: which patients (by index) and how many days after randomisation. */
const FIRST: Array<[number, number]> = [
  [1, 40],
  [3, 160],
  [0, 230],
  [5, 400],
  [7, 610],
  [2, 700],
];
const SECOND: Array<[number, number]> = [
  [9, 120],
  [11, 520],
  [4, 800],
  [13, 900],
  [15, 1000],
  [6, 1100],
  [17, 1200],
  [19, 1300],
];

export function firstNotifications(trialId: string): RegistryNotification[] {
  return [...deaths(trialId, FIRST), { v: 1, source: 'ONS', kind: 'extract-complete', completeUpTo: '2011-03-31' }];
}

export function secondNotifications(trialId: string): RegistryNotification[] {
  return [...deaths(trialId, SECOND), { v: 1, source: 'ONS', kind: 'extract-complete', completeUpTo: '2011-09-30' }];
}

export const FIRST_DEATHS = FIRST.length;
export const ALL_DEATHS = FIRST.length + SECOND.length;

function deaths(trialId: string, which: Array<[number, number]>): RegistryRecord[] {
  const ps = patients(trialId);
  // Two in three deaths cardiovascular (I21.9), the others lung cancer (C34.1), competing.
  return which.map(([i, days]) => {
    const p = ps[i];
    const died = addDays(p.randomisedOn, days);
    return {
      v: 1,
      source: 'ONS',
      recordId: `${p.patientId}-D`,
      version: 1,
      kind: 'death',
      extractedOn: '2011-10-02',
      nhsNumber: p.nhsNumber,
      chiNumber: null,
      dateOfBirth: p.dateOfBirth,
      sex: i2sex(p),
      familyName: p.familyName.toUpperCase(),
      givenNames: 'TEST',
      postcode: 'SE5 9RS',
      dateOfDeath: died,
      dateOfRegistration: addDays(died, 5),
      underlyingCause: i % 3 === 0 ? 'C34.1' : 'I21.9',
      placeOfDeath: 'hospital',
      eventDate: null,
    };
  });
}

const REGION: Record<string, string> = { KCH: 'London', BHI: 'South', JRH: 'South' };

const i2sex = (p: Patient): 'M' | 'F' => (Number(p.patientId.slice(-1)) % 2 === 0 ? 'F' : 'M');

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function hash(s: string): number {
  return createHash('sha256').update(s).digest().readUInt32BE(0);
}
