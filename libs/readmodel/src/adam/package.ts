import { zipSync } from 'fflate';
import type { TrialRegistered } from '@trial/contracts';
import type { FollowUp } from '@trial/followup';
import { adslTable } from './adsl';
import { adamAdtteTable } from './adtte';
import { tableCsv, tableXpt } from './table';

/** The files of the ADaM package, as the zip names them. */
export const ADAM_FILES = ['adsl.csv', 'adsl.xpt', 'adtte.csv', 'adtte.xpt'] as const;

/**
 * The ADaM package of a trial at one moment: ADSL and ADTTE, each as CSV and as SAS transport
 * v5, in one zip. `created` stamps the XPT headers and the zip entries, so the same follow-ups
 * and stamp give the same bytes (the caller passes the read's time; nothing here reads a clock).
 */
export type AdamFiles = Record<(typeof ADAM_FILES)[number], Uint8Array>;

export function adamFiles(trialId: string, design: TrialRegistered | null, followUps: readonly FollowUp[], created: Date): AdamFiles {
  const adsl = adslTable(trialId, design, followUps);
  const adtte = adamAdtteTable(trialId, design, followUps);
  const enc = new TextEncoder();
  return {
    'adsl.csv': enc.encode(tableCsv(adsl)),
    'adsl.xpt': tableXpt(adsl, created),
    'adtte.csv': enc.encode(tableCsv(adtte)),
    'adtte.xpt': tableXpt(adtte, created),
  };
}

export function adamZip(trialId: string, design: TrialRegistered | null, followUps: readonly FollowUp[], created: Date): Uint8Array {
  const files = adamFiles(trialId, design, followUps, created);
  // Zip stores local time in DOS fields; fflate reads the Date's local parts. Deflate is
  // deterministic, so the bytes depend on the inputs (and the host's zone) only.
  return zipSync(Object.fromEntries(Object.entries(files).map(([n, b]) => [n, [b, { mtime: created }]])), { level: 6 });
}
