import type { AdamVariable } from './table';

// The variables of the ADaM datasets, in their order: which names each dataset takes.

/** The variables that name the subject, first in ADSL and ADTTE alike (subjectCells gives their values). */
export const SUBJECT_VARIABLES: readonly AdamVariable[] = [
  { name: 'STUDYID', label: 'Study Identifier', type: 'char' },
  { name: 'USUBJID', label: 'Unique Subject Identifier', type: 'char' },
  { name: 'SUBJID', label: 'Subject Identifier for the Study', type: 'char' },
  { name: 'SITEID', label: 'Study Site Identifier', type: 'char' },
];

/** ADSL's fixed variables, in order; the strata follow SEX (stratumColumns). */
export const ADSL_HEAD: AdamVariable[] = [
  ...SUBJECT_VARIABLES,
  { name: 'ARM', label: 'Description of Planned Arm', type: 'char' },
  { name: 'TRT01P', label: 'Planned Treatment for Period 01', type: 'char' },
  { name: 'TRT01PN', label: 'Planned Treatment for Period 01 (N)', type: 'num' },
  { name: 'RANDDT', label: 'Date of Randomization', type: 'date' },
  { name: 'AGE', label: 'Age', type: 'num' },
  { name: 'AGEU', label: 'Age Units', type: 'char' },
  { name: 'AGEGR1', label: 'Pooled Age Group 1', type: 'char' },
  { name: 'SEX', label: 'Sex', type: 'char' },
];
/** ADSL's variables after the strata. */
export const ADSL_TAIL: AdamVariable[] = [
  { name: 'RANDFL', label: 'Randomized Population Flag', type: 'char' },
  { name: 'DTHFL', label: 'Subject Death Flag', type: 'char' },
  { name: 'DTHDT', label: 'Date of Death', type: 'date' },
  { name: 'DTHCAUS', label: 'Cause of Death (ICD-10 Underlying Cause)', type: 'char' },
  { name: 'LSTALVDT', label: 'Date Last Known Alive', type: 'date' },
];

/** ADTTE's fixed variables, in order; the strata follow AGEGR1. */
export const ADTTE_HEAD: AdamVariable[] = [
  ...SUBJECT_VARIABLES,
  { name: 'TRTP', label: 'Planned Treatment', type: 'char' },
  { name: 'TRTPN', label: 'Planned Treatment (N)', type: 'num' },
  { name: 'ASEQ', label: 'Analysis Sequence Number', type: 'num' },
  { name: 'PARAMCD', label: 'Parameter Code', type: 'char' },
  { name: 'PARAM', label: 'Parameter', type: 'char' },
  { name: 'PARAMN', label: 'Parameter (N)', type: 'num' },
  { name: 'STARTDT', label: 'Time-to-Event Origin Date for Subject', type: 'date' },
  { name: 'ADT', label: 'Analysis Date', type: 'date' },
  { name: 'AVAL', label: 'Analysis Value', type: 'num' },
  { name: 'AVALU', label: 'Analysis Value Unit', type: 'char' },
  { name: 'CNSR', label: 'Censor', type: 'num' },
  { name: 'EVNTDESC', label: 'Event or Censoring Description', type: 'char' },
  { name: 'CNSDTDSC', label: 'Censor Date Description', type: 'char' },
  { name: 'SRCDOM', label: 'Source Data', type: 'char' },
  { name: 'SRCVAR', label: 'Source Variable', type: 'char' },
  { name: 'EVENT', label: 'Event: 0 Censored, 1 Event, 2 Competing', type: 'num' },
  { name: 'SEX', label: 'Sex', type: 'char' },
  { name: 'AGEGR1', label: 'Pooled Age Group 1', type: 'char' },
];

/** Names ADSL and ADTTE use themselves, which a stratification factor cannot take. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([...ADSL_HEAD, ...ADSL_TAIL, ...ADTTE_HEAD].map((v) => v.name));
