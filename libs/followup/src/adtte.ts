import type { FollowUp } from './derive';
import { assertNever } from './never';
import type { Cnsr } from './reasons';

/**
 * The per-patient part of an ADaM ADTTE row for overall survival. The API adds STUDYID,
 * USUBJID, TRTP(N), PARAMCD and PARAM. AVAL is `ADT - STARTDT` in days (feeds.md's time, not
 * the `+1` some sponsors use), so `coxph` on AVAL/CNSR reproduces the read-out.
 */
export interface AdtteFragment {
  STARTDT: string;
  ADT: string;
  AVAL: number;
  AVALU: 'DAYS';
  CNSR: Cnsr;
  EVNTDESC: string;
  /** Empty for events: ADaM describes only censoring dates here. */
  CNSDTDSC: string;
  SRCDOM: string;
  SRCVAR: string;
}

export function toAdtteFragment(f: FollowUp): AdtteFragment {
  const clamped = f.endDate < f.randomisedOn ? ` (RECORDED ${f.endDate}, BEFORE RANDOMISATION)` : '';
  return {
    STARTDT: f.randomisedOn,
    ADT: f.analysisDate,
    AVAL: f.time,
    AVALU: 'DAYS',
    CNSR: f.cnsr,
    EVNTDESC: `${eventDescription(f)}${f.status === 1 ? clamped : ''}`,
    CNSDTDSC: f.status === 1 ? '' : `${censorDateDescription(f)}${clamped}`,
    SRCDOM: f.source.domain,
    SRCVAR: f.source.variable,
  };
}

function eventDescription(f: FollowUp): string {
  switch (f.reason) {
    case 'death':
      return 'DEATH';
    case 'registry-cutoff':
      return 'ALIVE AT REGISTRY CUTOFF';
    case 'embarked':
      return 'EMBARKED';
    case 'withdrew':
      return 'WITHDREW CONSENT';
    case 'not-traced':
      return 'NOT TRACED BY REGISTRY';
    case 'data-cutoff':
      return 'ALIVE AT DATA CUTOFF';
    default:
      return assertNever(f.reason);
  }
}

function censorDateDescription(f: FollowUp): string {
  switch (f.reason) {
    case 'death':
      return '';
    case 'registry-cutoff':
      if (f.registry === null) return 'LAST KNOWN ALIVE (NO REGISTRY IDENTIFIER)';
      if (f.dates.registryCompleteUpTo === null) return `LAST KNOWN ALIVE (NO ${f.registry} COMPLETENESS YET)`;
      return `${f.registry} REGISTRATIONS COMPLETE UP TO`;
    case 'embarked':
      return 'DATE OF EMBARKATION';
    case 'withdrew':
      return 'DATE CONSENT WITHDRAWAL EFFECTIVE';
    case 'not-traced':
      return f.source.domain === 'PatientSeenAlive' ? 'DATE LAST SEEN ALIVE' : 'DATE OF RANDOMISATION';
    case 'data-cutoff':
      return 'DATA CUTOFF DATE';
    default:
      return assertNever(f.reason);
  }
}
