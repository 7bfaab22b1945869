import { noPlans, type PatientRandomised, type TrialRegistered, type TrialRegisteredV1 } from '@trial/contracts';

// The enrolment events that read-model specs build a trial from (then change what the case
// needs): a two-arm trial, and its patients numbered from 1.

/** The cardiovascular-death endpoint (underlying cause I00-I99; other deaths compete). */
export const CVDEATH: TrialRegistered['endpoints'][number] = { code: 'CVDEATH', name: 'Cardiovascular death', icd10: [{ from: 'I00', to: 'I99' }] };

/** A trial's registration (v2, no stopping plans): control against IABP, one look at 10 deaths. */
export function registeredTrial(trialId: string, title: string, over: Partial<TrialRegistered> = {}): TrialRegistered {
  return { ...registeredTrialV1(trialId, title), v: 2, ...noPlans(), ...over };
}

/** Patient `P${i}`: IABP when i is odd, randomised on 2007-01-10 at KCH, known by a CHI number alone. */
export function randomisedPatient(trialId: string, i: number, over: Partial<PatientRandomised> = {}): PatientRandomised {
  return {
    v: 2,
    type: 'PatientRandomised',
    strata: {},
    covariates: {},
    eventId: `${trialId}:rand-${i}`,
    trialId,
    patientId: `P${i}`,
    arm: i % 2 ? 'IABP' : 'control',
    randomisedOn: '2007-01-10',
    site: 'KCH',
    nhsNumber: null,
    chiNumber: `01020304${String(i).padStart(2, '0')}`,
    dateOfBirth: '1945-06-01',
    sex: 'M',
    familyName: 'Test',
    givenNames: 'Patient',
    postcode: null,
    ...over,
  };
}

/** The same registration as a v1 message (before stopping plans), as older producers still send it. */
export function registeredTrialV1(trialId: string, title: string, eventId = `${trialId}:reg`): TrialRegisteredV1 {
  return {
    v: 1,
    type: 'TrialRegistered',
    eventId,
    trialId,
    title,
    arms: ['control', 'IABP'],
    referenceArm: 'control',
    plannedEvents: 10,
    alpha: 0.05,
    sided: 2,
    looks: [1],
    spending: 'obrien-fleming',
  };
}
