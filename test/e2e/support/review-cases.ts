import type { EnrollmentEvent, RegistryRecord } from '@trial/contracts';
import { contentId, nhsNumberFrom } from '../../../apps/cli/src/demo/small-trial';

/**
 * Two genuine clerical review cases for the reviewer-screen browser test, added to the
 * dashboard trial (support/dashboard-trial.ts):
 * - a death before randomisation: the record's NHS number is the patient's, but the death is
 *   dated a month before the patient was randomised (linkage links by number, then sends it to
 *   review: reason death-before-randomisation);
 * - namesakes with close dates of birth: two patients with the same names, sex and postcode, born
 *   a day before and a day after the date on a death record that carries no NHS number. The two
 *   score the same, so the model cannot choose (reason close-candidates).
 * Names, numbers and dates depend on the trial id, so no other suite's patients look alike.
 */
export interface ReviewCases {
  enrollments: EnrollmentEvent[];
  earlyDeath: RegistryRecord;
  namesakeDeath: RegistryRecord;
  earlyPatientId: string;
  namesakeIds: [string, string];
}

export function reviewCases(trialId: string): ReviewCases {
  const seed = parseInt(contentId(trialId).replace(/-/g, '').slice(0, 6), 16);
  const nhs = (i: number) => nhsNumberFrom(710_000_000 + ((seed * 3 + i * 7919) % 200_000_000));
  const surname = `Quarrendon${String.fromCharCode(65 + (seed % 26), 65 + ((seed >> 5) % 26))}`;
  const patient = (
    suffix: string,
    i: number,
    dateOfBirth: string,
    familyName: string,
    givenNames: string,
    postcode = 'SE5 8AZ',
  ): EnrollmentEvent => ({
    v: 2,
    type: 'PatientRandomised',
    strata: { region: 'London' },
    covariates: {},
    eventId: contentId(`${trialId}:review:${suffix}`),
    trialId,
    patientId: `${trialId}-R${suffix}`,
    arm: i % 2 ? 'IABP' : 'control',
    randomisedOn: '2008-02-01',
    site: 'KCH',
    nhsNumber: nhs(i),
    chiNumber: null,
    dateOfBirth,
    sex: 'F',
    familyName,
    givenNames,
    postcode,
  });
  const early = patient('1', 1, '1944-07-19', `Ellerby${surname.slice(-2)}`, 'Maud', 'LS6 2QT');
  const twinA = patient('2', 2, '1951-03-04', surname, 'Winifred Ann');
  const twinB = patient('3', 3, '1951-03-06', surname, 'Winifred Ann');
  const death = (recordId: string, over: Partial<RegistryRecord>): RegistryRecord =>
    ({
      v: 1,
      source: 'ONS',
      recordId,
      version: 1,
      kind: 'death',
      extractedOn: '2011-10-02',
      nhsNumber: null,
      chiNumber: null,
      dateOfBirth: null,
      sex: 'F',
      familyName: null,
      givenNames: null,
      postcode: 'SE5 8AZ',
      dateOfDeath: '2009-05-11',
      dateOfRegistration: '2009-05-15',
      underlyingCause: 'I21.9',
      placeOfDeath: 'hospital',
      eventDate: null,
      ...over,
    }) as RegistryRecord;
  const id = (e: EnrollmentEvent) => (e.type === 'PatientRandomised' ? e.patientId : '');
  const field = <K extends 'nhsNumber' | 'familyName' | 'givenNames' | 'dateOfBirth'>(e: EnrollmentEvent, k: K) =>
    e.type === 'PatientRandomised' ? e[k] : null;
  return {
    enrollments: [early, twinA, twinB],
    earlyDeath: death(`${trialId}-RD1`, {
      nhsNumber: field(early, 'nhsNumber'),
      dateOfBirth: field(early, 'dateOfBirth'),
      familyName: field(early, 'familyName')!.toUpperCase(),
      givenNames: 'MAUD',
      postcode: 'LS6 2QT',
      dateOfDeath: '2008-01-02',
      dateOfRegistration: '2008-01-06',
    }),
    namesakeDeath: death(`${trialId}-RD2`, { dateOfBirth: '1951-03-05', familyName: surname.toUpperCase(), givenNames: 'WINIFRED ANN' }),
    earlyPatientId: id(early),
    namesakeIds: [id(twinA), id(twinB)],
  };
}
