import { addDays, daysBetween, onWeekday } from './dates';
import { newChiNumber, newNhsNumber } from './identifiers';
import { givenNames, surname } from './names';
import { Nation, postcode, SITES } from './places';
import { Rng } from './prng';

export type Arm = 'control' | 'IABP';

export interface Patient {
  patientId: string;
  arm: Arm;
  site: string;
  nation: Nation;
  randomisedOn: string;
  /** What the trial holds (the site may have mistyped it: see identifier errors). */
  nhsNumber: string | null;
  chiNumber: string | null;
  /** What the registry holds: the true NHS number for English and Welsh patients. */
  trueNhsNumber: string | null;
  dateOfBirth: string;
  sex: 'M' | 'F';
  familyName: string;
  givenNames: string;
  postcode: string;
}

export const TRIAL_ID = 'BCIS-1';
export const PATIENTS = { IABP: 151, control: 150 } as const;

/**
 * Accrual December 2005 to January 2009, slow at first: a quarter of patients in each piece.
 * The breakpoints are the final census (2011-09-30) less 58, 51 and 41 months, so that the
 * reverse Kaplan-Meier follow-up lands on the paper's median 51 (IQR 41-58) months.
 */
const ACCRUAL: ReadonlyArray<readonly [string, string]> = [
  ['2005-12-01', '2006-11-30'],
  ['2006-12-01', '2007-06-30'],
  ['2007-07-01', '2008-04-30'],
  ['2008-05-01', '2009-01-31'],
];
export const ACCRUAL_START = ACCRUAL[0][0];
export const ACCRUAL_END = ACCRUAL[ACCRUAL.length - 1][1];

function randomisationDate(rng: Rng): string {
  const [from, to] = rng.pick(ACCRUAL);
  const d = onWeekday(addDays(from, rng.int(0, daysBetween(from, to))));
  // A Saturday at the end of January 2009 would roll into February: step back instead.
  return d > ACCRUAL_END ? addDays(ACCRUAL_END, -2) : d;
}

/** Age at randomisation about 71 ± 10 years, as in BCIS-1. */
function dateOfBirth(rng: Rng, randomisedOn: string): string {
  const age = Math.min(93, Math.max(42, rng.normal(71, 10)));
  return addDays(randomisedOn, -Math.round(age * 365.25));
}

export function makeCohort(rng: Rng, taken: Set<string>): Patient[] {
  const n = PATIENTS.IABP + PATIENTS.control;
  const dates = Array.from({ length: n }, () => randomisationDate(rng)).sort();
  const arms = rng.shuffle<Arm>([...Array<Arm>(PATIENTS.IABP).fill('IABP'), ...Array<Arm>(PATIENTS.control).fill('control')]);
  return dates.map((randomisedOn, i) => {
    const site = rng.weighted(
      SITES,
      SITES.map((s) => s.weight),
    );
    const sex = rng.chance(0.8) ? 'M' : 'F';
    const dob = dateOfBirth(rng, randomisedOn);
    const scottish = site.nation === 'SCO';
    const nhs = scottish ? null : newNhsNumber(rng, taken);
    return {
      patientId: `BCIS1-${String(i + 1).padStart(4, '0')}`,
      arm: arms[i],
      site: site.code,
      nation: site.nation,
      randomisedOn,
      nhsNumber: nhs,
      chiNumber: scottish ? newChiNumber(rng, dob, sex, taken) : null,
      trueNhsNumber: nhs,
      dateOfBirth: dob,
      sex,
      familyName: surname(rng, site.nation),
      givenNames: givenNames(rng, sex),
      postcode: postcode(rng, site.districts),
    };
  });
}
