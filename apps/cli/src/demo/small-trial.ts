import { createHash } from 'node:crypto';
import { EnrollmentEvent, RegistryRecord, noPlans } from '@trial/contracts';
import { modulus11CheckDigit } from '@trial/linkage';

/**
 * The walking skeleton's bundled demo: a small two-arm trial whose deaths link on exact NHS
 * numbers. Ids are derived from content, so publishing it twice changes nothing downstream.
 */
export const SMALL_TRIAL_ID = 'DEMO-SMALL';

/** A UUID-shaped id derived from content, so republishing the same event keeps its id. */
export const contentId = (s: string) => {
  const h = createHash('sha256').update(s).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/**
 * The first valid (Modulus 11) NHS number at or after the 9-digit `start`: fictitious but
 * well-formed identifiers for demo and test patients.
 */
export function nhsNumberFrom(start: number): string {
  for (let n = start; ; n++) {
    const first9 = String(n).padStart(9, '0');
    // Past 999,999,999 it would be 11 digits: an invalid number, which links only probabilistically.
    if (first9.length !== 9) throw new RangeError(`nhsNumberFrom: ${start} is not a 9-digit start`);
    const check = modulus11CheckDigit(first9);
    if (check !== null) return first9 + String(check);
  }
}

const nhsNumber = (seed: number) => nhsNumberFrom(400_000_000 + seed * 7919);

const patients = Array.from({ length: 10 }, (_, i) => ({
  patientId: `DS-${String(i + 1).padStart(3, '0')}`,
  arm: i % 2 === 0 ? 'IABP' : 'control',
  nhsNumber: nhsNumber(i + 1),
  dateOfBirth: `19${40 + i}-0${(i % 9) + 1}-1${i % 10}`,
  familyName: ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Robinson', 'Wright'][i],
}));

export function smallTrialEnrollments(trialId = SMALL_TRIAL_ID): EnrollmentEvent[] {
  return [
    {
      v: 2,
      type: 'TrialRegistered',
      ...noPlans(),
      eventId: contentId(`${trialId}:trial`),
      trialId,
      title: 'Walking-skeleton demo trial',
      arms: ['control', 'IABP'],
      referenceArm: 'control',
      plannedEvents: 4,
      alpha: 0.05,
      sided: 2,
      looks: [0.5, 1],
      spending: 'obrien-fleming',
    },
    ...patients.map((p, i): EnrollmentEvent => ({
      v: 2,
      type: 'PatientRandomised',
      strata: {},
      covariates: {},
      eventId: contentId(`${trialId}:${p.patientId}`),
      trialId,
      patientId: p.patientId,
      arm: p.arm,
      randomisedOn: `2007-0${(i % 9) + 1}-15`,
      site: i % 3 === 0 ? 'KCH' : 'BHI',
      nhsNumber: p.nhsNumber,
      chiNumber: null,
      dateOfBirth: p.dateOfBirth,
      sex: 'M',
      familyName: p.familyName,
      givenNames: 'Demo',
      postcode: 'SE1 7EH',
    })),
  ];
}

/** Deaths for patients 1, 2 and 4: one in IABP, two in control. */
export function smallTrialDeaths(trialId = SMALL_TRIAL_ID): RegistryRecord[] {
  return [0, 1, 3].map((i, k) => {
    const p = patients[i];
    return {
      v: 1,
      source: 'ONS',
      recordId: `${trialId}-D${k + 1}`,
      version: 1,
      kind: 'death',
      extractedOn: '2011-10-02',
      nhsNumber: p.nhsNumber,
      chiNumber: null,
      dateOfBirth: p.dateOfBirth,
      sex: 'M',
      familyName: p.familyName.toUpperCase(),
      givenNames: 'DEMO',
      postcode: 'SE1 7EH',
      dateOfDeath: `2009-0${k + 3}-2${k}`,
      dateOfRegistration: `2009-0${k + 3}-2${k + 5}`,
      underlyingCause: 'I21.9',
      placeOfDeath: 'hospital',
      eventDate: null,
    };
  });
}
