import { assertNever } from './never';

/** Why follow-up ended: a death, or one of the censoring reasons. */
export type CensorReason = 'registry-cutoff' | 'embarked' | 'withdrew' | 'not-traced' | 'data-cutoff';
export type EndReason = 'death' | CensorReason;

/** ADaM ADTTE CNSR: 0 is the event; 1 registry (or data) cutoff, 2 embarked, 3 withdrew, 4 not traced. */
export type Cnsr = 0 | 1 | 2 | 3 | 4;

/**
 * Maps a reason to CNSR. An analysis `dataCutoff` is administrative censoring like a registry's
 * completeness date, so it shares code 1 (only 1-4 are defined); ADTTE's CNSDTDSC tells
 * the two apart.
 */
export function cnsrOf(reason: EndReason): Cnsr {
  switch (reason) {
    case 'death':
      return 0;
    case 'registry-cutoff':
    case 'data-cutoff':
      return 1;
    case 'embarked':
      return 2;
    case 'withdrew':
      return 3;
    case 'not-traced':
      return 4;
    default:
      return assertNever(reason);
  }
}

/**
 * When two censoring dates coincide, the more specific reason is reported: something that
 * happened to this patient (withdrawal, embarkation, loss to tracing) rather than a date that
 * applies to everybody.
 */
export function censorPriority(reason: CensorReason): number {
  switch (reason) {
    case 'withdrew':
      return 0;
    case 'embarked':
      return 1;
    case 'not-traced':
      return 2;
    case 'registry-cutoff':
      return 3;
    case 'data-cutoff':
      return 4;
    default:
      return assertNever(reason);
  }
}
