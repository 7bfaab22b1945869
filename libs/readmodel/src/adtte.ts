import { stringify } from 'csv-stringify/sync';
import { csvCast, type TrialRegistered } from '@trial/contracts';
import { toAdtteFragment, type FollowUp } from '@trial/followup';

/** ADaM ADTTE for overall survival, in the column order, then EVENT (see below). */
export const ADTTE_COLUMNS = [
  'STUDYID',
  'USUBJID',
  'TRTP',
  'TRTPN',
  'PARAMCD',
  'PARAM',
  'AVAL',
  'AVALU',
  'STARTDT',
  'ADT',
  'CNSR',
  'EVNTDESC',
  'CNSDTDSC',
  'SRCDOM',
  'SRCVAR',
  'EVENT',
] as const;
export type AdtteRow = Record<(typeof ADTTE_COLUMNS)[number], string | number>;

/**
 * One row a patient. TRTPN is the arm's position in TrialRegistered's `arms` (1-based). EVENT
 * (1 death, 0 censored) is a sponsor-defined convenience column: `followup stats` wants a 0/1
 * event flag and CNSR runs 0-4, so `followup stats adtte.csv --time AVAL --event EVENT
 * --group TRTP` reproduces the read-out without reshaping the file.
 */
export function adtteRows(trialId: string, design: TrialRegistered | null, followUps: readonly FollowUp[]): AdtteRow[] {
  return [...followUps]
    .sort((a, b) => (a.patientId < b.patientId ? -1 : a.patientId > b.patientId ? 1 : 0))
    .map((f) => {
      const frag = toAdtteFragment(f);
      const armIndex = design?.arms.indexOf(f.arm) ?? -1;
      return {
        STUDYID: trialId,
        USUBJID: `${trialId}-${f.patientId}`,
        TRTP: f.arm,
        TRTPN: armIndex >= 0 ? armIndex + 1 : '',
        PARAMCD: 'OS',
        PARAM: 'Overall Survival (days)',
        AVAL: frag.AVAL,
        AVALU: frag.AVALU,
        STARTDT: frag.STARTDT,
        ADT: frag.ADT,
        CNSR: frag.CNSR,
        EVNTDESC: frag.EVNTDESC,
        CNSDTDSC: frag.CNSDTDSC,
        SRCDOM: frag.SRCDOM,
        SRCVAR: frag.SRCVAR,
        EVENT: f.status,
      };
    });
}

/**
 * The rows as CSV. Text cells that a spreadsheet would run as a formula (an arm or trial id starting with `=`)
 * are escaped (csvCast); numbers are written as numbers.
 */
export function adtteCsv(rows: readonly AdtteRow[]): string {
  return stringify(rows as AdtteRow[], { header: true, columns: [...ADTTE_COLUMNS], cast: csvCast });
}
