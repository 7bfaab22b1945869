import type { PatientRandomisedV1, RegistryRecord } from '@trial/contracts';
import type { Identity, PatientIdentity, RecordFacts } from '@trial/linkage';

// The feeds.md examples that specs start from (then change a field): one patient, John Paul
// Smith of SE1 7EH, randomised to IABP at KCH, and the ONS registration of his death.

/** The patient's identity as the trial enrolled him. */
export const ENROLLED_AS = {
  nhsNumber: '9434765919',
  chiNumber: null,
  dateOfBirth: '1941-02-03',
  sex: 'M',
  familyName: 'Smith',
  givenNames: 'John Paul',
  postcode: 'SE1 7EH',
} satisfies Identity;

/** The same identity as the registry wrote it (names in capitals). */
export const REGISTERED_AS = { ...ENROLLED_AS, familyName: 'SMITH', givenNames: 'JOHN PAUL' } satisfies Identity;

/** The patient as the linkage knows him. */
export const PATIENT: PatientIdentity = { patientId: 'BCIS1-0001', randomisedOn: '2006-03-14', ...ENROLLED_AS };

/** feeds.md's PatientRandomised. */
export const RANDOMISED: PatientRandomisedV1 = {
  v: 1,
  type: 'PatientRandomised',
  eventId: 'e1',
  trialId: 'BCIS-1',
  patientId: 'BCIS1-0001',
  arm: 'IABP',
  randomisedOn: '2006-03-14',
  site: 'KCH',
  ...ENROLLED_AS,
};

/** What the linkage compares of the death registration. */
export const DEATH_FACTS: RecordFacts = { kind: 'death', dateOfDeath: '2009-06-30', eventDate: null, ...REGISTERED_AS };

/** feeds.md's ONS death registration, as ingest publishes it. */
export const ONS_DEATH: RegistryRecord = {
  v: 1,
  source: 'ONS',
  recordId: 'D2009-000123',
  version: 1,
  kind: 'death',
  extractedOn: '2011-10-02',
  ...REGISTERED_AS,
  dateOfDeath: '2009-06-30',
  dateOfRegistration: '2009-07-06',
  underlyingCause: 'I21.9',
  placeOfDeath: 'hospital',
  eventDate: null,
};
