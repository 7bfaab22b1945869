import { ageBand, type Subgroup, type TrialRegistered } from '@trial/contracts';
import type { FollowUp } from '@trial/followup';
import type { AdamCell, AdamTable, AdamVariable } from './table';
import { ADSL_HEAD, ADSL_TAIL, RESERVED_NAMES } from './variables';

/** One patient's values of SUBJECT_VARIABLES. */
export function subjectCells(trialId: string, f: FollowUp): Record<string, AdamCell> {
  return { STUDYID: trialId, USUBJID: usubjid(trialId, f), SUBJID: f.patientId, SITEID: f.site };
}

/**
 * One column per stratification factor: the factor's name in capitals (REGION), so
 * `coxph(... + strata(REGION))` reads as the protocol does; ADaM's STRATwR (STRAT1R, ...) where
 * the name is one ADSL or ADTTE already uses.
 */
export function stratumColumns(design: TrialRegistered | null): Array<{ factor: string; variable: AdamVariable }> {
  const taken = new Set<string>();
  return (design?.stratificationFactors ?? []).map((factor, i) => {
    const upper = factor.toUpperCase();
    const name = RESERVED_NAMES.has(upper) || taken.has(upper) ? `STRAT${i + 1}R` : upper;
    taken.add(name);
    return { factor, variable: { name, label: `Stratum at Randomization: ${factor}`, type: 'char' } };
  });
}

/** The trial's first age subgroup: its cuts band AGEGR1. */
function ageCuts(design: TrialRegistered | null): number[] | null {
  const g = design?.subgroups.find((s): s is Extract<Subgroup, { from: 'age' }> => s.from === 'age');
  return g ? g.cuts : null;
}

/** AGEGR1: the age at randomisation banded at the first age subgroup's cuts; empty without one. */
export function ageGroup(design: TrialRegistered | null, f: FollowUp): string {
  const cuts = ageCuts(design);
  return cuts === null || f.ageAtRandomisation === null ? '' : ageBand(f.ageAtRandomisation, cuts);
}

export const byPatient = (a: FollowUp, b: FollowUp): number => (a.patientId < b.patientId ? -1 : a.patientId > b.patientId ? 1 : 0);

/** USUBJID as the existing ADTTE export writes it: the study id, a hyphen, the patient id. */
export const usubjid = (trialId: string, f: FollowUp): string => `${trialId}-${f.patientId}`;

/**
 * ADSL, one row a randomised patient (all of them: RANDFL is Y throughout). AGE is whole years
 * at randomisation; AGEGR1 bands it at the trial's age-subgroup cuts (`<75`, `>=75`), empty
 * without an age subgroup. DTHFL, DTHDT and DTHCAUS describe the death that counts for the
 * analysis at this moment (a cancelled or out-of-follow-up one does not). LSTALVDT is the date
 * of death for a death, else the date follow-up is censored at: the registry's completeness,
 * embarkation, withdrawal, the last visit or the data cutoff, up to which the patient is known
 * to have been alive.
 */
export function adslTable(trialId: string, design: TrialRegistered | null, followUps: readonly FollowUp[]): AdamTable {
  const strata = stratumColumns(design);
  const rows = [...followUps].sort(byPatient).map((f) => {
    const dead = f.status === 1;
    const armIndex = design?.arms.indexOf(f.arm) ?? -1;
    const row: Record<string, AdamCell> = {
      ...subjectCells(trialId, f),
      ARM: f.arm,
      TRT01P: f.arm,
      TRT01PN: armIndex >= 0 ? armIndex + 1 : null,
      RANDDT: f.randomisedOn,
      AGE: f.ageAtRandomisation,
      AGEU: f.ageAtRandomisation === null ? '' : 'YEARS',
      AGEGR1: ageGroup(design, f),
      SEX: f.sex ?? '',
      RANDFL: 'Y',
      DTHFL: dead ? 'Y' : '',
      DTHDT: dead ? f.endDate : null,
      DTHCAUS: dead ? (f.underlyingCause ?? '') : '',
      LSTALVDT: dead ? f.endDate : f.analysisDate,
    };
    for (const s of strata) row[s.variable.name] = Object.hasOwn(f.strata, s.factor) ? f.strata[s.factor] : '';
    return row;
  });
  return { name: 'ADSL', label: 'Subject-Level Analysis Dataset', variables: [...ADSL_HEAD, ...strata.map((s) => s.variable), ...ADSL_TAIL], rows };
}
