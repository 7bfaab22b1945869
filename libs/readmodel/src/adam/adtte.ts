import type { Endpoint, TrialRegistered } from '@trial/contracts';
import { endpointCode, endpointStatus, toAdtteFragment, type FollowUp } from '@trial/followup';
import { ageGroup, byPatient, stratumColumns, subjectCells } from './adsl';
import { ADTTE_HEAD } from './variables';
import type { AdamCell, AdamTable } from './table';

/** CNSR of a death from another cause in an endpoint parameter: beyond the 0-4 all-cause death uses. */
export const COMPETING_CNSR = 5;
export const COMPETING_DESCRIPTION = 'DEATH FROM OTHER CAUSE';

interface Parameter {
  code: string;
  name: string;
  endpoint: Endpoint | null;
}

/** ACM first, then the trial's endpoints in TrialRegistered's order (PARAMN and ASEQ follow it). */
export function adamParameters(design: TrialRegistered | null): Parameter[] {
  return [
    { code: 'ACM', name: 'Time to All-Cause Death (days)', endpoint: null },
    ...(design?.endpoints ?? []).map((e) => ({ code: e.code, name: `Time to ${e.name} (days)`, endpoint: e })),
  ];
}

/**
 * ADTTE, one row a patient and parameter: ACM (all-cause death) and one per endpoint of the
 * trial (CVDEATH: underlying cause in I00-I99). Every parameter shares the patient's origin
 * (randomisation), ADT and AVAL (days, `ADT - STARTDT`); they differ in what ended follow-up:
 * - ACM: CNSR 0 death, 1 registry or data cutoff, 2 embarked, 3 withdrew, 4 not traced;
 * - an endpoint: CNSR 0 for a death whose underlying cause is in its ranges (EVNTDESC the
 *   endpoint's name), COMPETING_CNSR (5) for a death from any other cause or with none recorded
 *   (EVNTDESC and CNSDTDSC `DEATH FROM OTHER CAUSE`), else the censoring of ACM.
 * EVENT is the competing-risks code `followup stats --cause 1` reads (0, 1, 2; ACM: 0 or 1),
 * and SEX, AGEGR1 and the strata columns are ADSL's, so R stratifies and splits by subgroup
 * on ADTTE alone.
 */
export function adamAdtteTable(trialId: string, design: TrialRegistered | null, followUps: readonly FollowUp[]): AdamTable {
  const strata = stratumColumns(design);
  const params = adamParameters(design);
  const rows: Array<Record<string, AdamCell>> = [];
  for (const f of [...followUps].sort(byPatient)) {
    const frag = toAdtteFragment(f);
    const armIndex = design?.arms.indexOf(f.arm) ?? -1;
    const common: Record<string, AdamCell> = {
      ...subjectCells(trialId, f),
      TRTP: f.arm,
      TRTPN: armIndex >= 0 ? armIndex + 1 : null,
      STARTDT: frag.STARTDT,
      ADT: frag.ADT,
      AVAL: frag.AVAL,
      AVALU: frag.AVALU,
      SRCDOM: frag.SRCDOM,
      SRCVAR: frag.SRCVAR,
      SEX: f.sex ?? '',
      AGEGR1: ageGroup(design, f),
    };
    for (const s of strata) common[s.variable.name] = Object.hasOwn(f.strata, s.factor) ? f.strata[s.factor] : '';
    params.forEach((p, i) => {
      const at = { ...common, ASEQ: i + 1, PARAMCD: p.code, PARAM: p.name, PARAMN: i + 1 };
      if (p.endpoint === null) {
        rows.push({ ...at, CNSR: frag.CNSR, EVNTDESC: frag.EVNTDESC, CNSDTDSC: frag.CNSDTDSC, EVENT: f.status });
        return;
      }
      const status = endpointStatus(f, p.endpoint);
      const outcome =
        status === 'event'
          ? { CNSR: 0, EVNTDESC: p.endpoint.name.toUpperCase(), CNSDTDSC: '' }
          : status === 'competing'
            ? { CNSR: COMPETING_CNSR, EVNTDESC: COMPETING_DESCRIPTION, CNSDTDSC: COMPETING_DESCRIPTION }
            : { CNSR: frag.CNSR, EVNTDESC: frag.EVNTDESC, CNSDTDSC: frag.CNSDTDSC };
      rows.push({ ...at, ...outcome, EVENT: endpointCode(status) });
    });
  }
  return { name: 'ADTTE', label: 'Time-to-Event Analysis Dataset', variables: [...ADTTE_HEAD, ...strata.map((s) => s.variable)], rows };
}
