import { registrationDelay, trialCause, place, Place } from './causes';
import { Arm, Patient } from './cohort';
import { addDays, daysBetween, lastDayOfMonth, min } from './dates';
import { transposeDigits } from './identifiers';
import { hasVariant } from './names';
import { Rng } from './prng';

/** The last `completeUpTo` of both registries: the census date of the long-term follow-up. */
export const FINAL_COMPLETE = '2011-09-30';

/** Deaths by arm, and how many of them fall in the first 182 days (6-month mortality 4.6% vs 7.4%). */
export const DEATHS = { IABP: { total: 42, early: 7 }, control: { total: 58, early: 11 } } as const;

/**
 * Hazard (per day) of the late deaths within each patient's window: a slowly rising cumulative
 * risk, tuned so person-years land on 7.9 and 12.1 deaths per 100 (see search-seed.ts).
 */
export const LATE_HAZARD = 0.25 / 365.25;

/** Identifier errors that a deterministic NHS/CHI match cannot resolve. */
export type IdError = 'nhs-missing' | 'nhs-mistyped' | 'dob-swap' | 'surname-misspelt';

export interface Death {
  on: string;
  registeredOn: string;
  coroner: boolean;
  cause: string;
  place: Place;
}

export interface Fate {
  death: Death | null;
  /** The first registration gave this (wrong) date; a later version corrects it. */
  amendment: { firstDateOfDeath: string; reportedOn: string } | null;
  idError: IdError | null;
  embarkedOn: string | null;
  reEnteredOn: string | null;
  withdrawnOn: string | null;
  noTraceReportedOn: string | null;
  /** A death registered in error for a living patient, then cancelled. */
  cancelled: (Death & { cancelledOn: string }) | null;
  /** A non-trial person with the same surname and birth year dies: the namesake trap. */
  namesake: boolean;
  seenAlive: string[];
}

const blank = (): Fate => ({
  death: null,
  amendment: null,
  idError: null,
  embarkedOn: null,
  reEnteredOn: null,
  withdrawnOn: null,
  noTraceReportedOn: null,
  cancelled: null,
  namesake: false,
  seenAlive: [],
});

/** Days from randomisation to the census: each patient's potential follow-up. */
export const window = (p: Patient): number => daysBetween(p.randomisedOn, FINAL_COMPLETE);

function death(rng: Rng, p: Patient, day: number): Death {
  const on = addDays(p.randomisedOn, day);
  const delay = registrationDelay(rng);
  // A death must be registered by the census to count; the last few register quickly.
  return { on, registeredOn: min(addDays(on, delay.days), FINAL_COMPLETE), coroner: delay.coroner, cause: trialCause(rng, p.arm), place: place(rng) };
}

/** Early deaths: periprocedural ones cluster in the first month. */
const earlyDay = (rng: Rng): number => (rng.chance(0.4) ? rng.int(1, 30) : rng.int(31, 182));

/** Late deaths: a truncated exponential between day 183 and two days before the census. */
function lateDay(rng: Rng, p: Patient): number {
  const w = window(p) - 2 - 183;
  const u = rng.next();
  const t = -Math.log(1 - u * (1 - Math.exp(-LATE_HAZARD * w))) / LATE_HAZARD;
  return 183 + Math.min(w, Math.floor(t));
}

/** The wrong date a registrar first wrote: the same day a month earlier (a slip of the month). */
function monthEarlier(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const py = m === 1 ? y - 1 : y;
  const pm = m === 1 ? 12 : m - 1;
  const candidate = `${py}-${String(pm).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return candidate <= lastDayOfMonth(py, pm) ? candidate : addDays(date, -30);
}

/**
 * Decides who dies when, and who carries the special cases. Mutates `patients` only for the
 * mistyped NHS number, which is what the trial holds.
 */
export function makeFates(rng: Rng, patients: Patient[]): Map<string, Fate> {
  const fates = new Map(patients.map((p) => [p.patientId, blank()]));
  const fate = (p: Patient): Fate => fates.get(p.patientId) as Fate;

  for (const arm of ['IABP', 'control'] as Arm[]) {
    const pool = patients.filter((p) => p.arm === arm);
    const early = rng.shuffle(pool).slice(0, DEATHS[arm].early);
    for (const p of early) fate(p).death = death(rng, p, earlyDay(rng));
    const rest = pool.filter((p) => !early.includes(p));
    // Longer windows hold more deaths: draw the dying in proportion to time at risk.
    const late = rng.sampleWeighted(rest, (p) => window(p) - 183, DEATHS[arm].total - DEATHS[arm].early);
    for (const p of late.sort((a, b) => a.patientId.localeCompare(b.patientId))) fate(p).death = death(rng, p, lateDay(rng, p));
  }

  const taken = new Set<string>();
  const choose = (ok: (p: Patient, f: Fate) => boolean): Patient => {
    const candidates = patients.filter((p) => !taken.has(p.patientId) && ok(p, fate(p)));
    if (candidates.length === 0) throw new Error('no patient fits a special case');
    const p = rng.pick(candidates);
    taken.add(p.patientId);
    return p;
  };
  const dies = (f: Fate): f is Fate & { death: Death } => f.death !== null;
  const ew = (p: Patient): boolean => p.nation === 'EW';
  const lived = (p: Patient): number => daysBetween(p.randomisedOn, fate(p).death?.on ?? FINAL_COMPLETE);

  // Abroad for a while, back, and then dies here: the death counts.
  const traveller = choose((p, f) => ew(p) && dies(f) && lived(p) >= 600);
  const tf = fate(traveller);
  tf.embarkedOn = addDays(traveller.randomisedOn, rng.int(200, lived(traveller) - 350));
  tf.reEnteredOn = addDays(tf.embarkedOn, rng.int(60, 200));

  // Registered a month too early, corrected in a later extract.
  const amended = choose((p, f) => ew(p) && dies(f) && lived(p) >= 400 && f.death.registeredOn <= addDays(FINAL_COMPLETE, -200));
  const af = fate(amended);
  if (af.death) af.amendment = { firstDateOfDeath: monthEarlier(af.death.on), reportedOn: addDays(af.death.registeredOn, rng.int(60, 150)) };

  const errors: Array<[IdError, (p: Patient) => boolean]> = [
    ['nhs-missing', ew],
    ['nhs-mistyped', ew],
    ['dob-swap', (p) => ew(p) && swappable(p.dateOfBirth)],
    ['surname-misspelt', (p) => p.nation === 'SCO'],
  ];
  for (const [kind, ok] of errors) {
    // A surname with a common variant (Thomson/Thompson) makes the likeliest misspelling.
    const variant =
      kind === 'surname-misspelt' && patients.some((q) => !taken.has(q.patientId) && dies(fate(q)) && ok(q) && hasVariant(q.familyName));
    const p = choose((q, f) => dies(f) && ok(q) && (!variant || hasVariant(q.familyName)));
    fate(p).idError = kind;
    if (kind === 'nhs-mistyped' && p.nhsNumber) p.nhsNumber = transposeDigits(p.nhsNumber, rng);
  }

  const survivor = (p: Patient, f: Fate): boolean => !dies(f);
  const emigrant = choose((p, f) => ew(p) && survivor(p, f));
  fate(emigrant).embarkedOn = addDays(emigrant.randomisedOn, rng.int(365, window(emigrant) - 120));

  const untraced = choose((p, f) => ew(p) && survivor(p, f));
  fate(untraced).noTraceReportedOn = addDays(untraced.randomisedOn, rng.int(30, 90));
  fate(untraced).seenAlive.push(addDays(untraced.randomisedOn, rng.int(190, 400)));

  const withdrawn = choose(survivor);
  fate(withdrawn).withdrawnOn = addDays(withdrawn.randomisedOn, rng.int(200, window(withdrawn) - 150));

  const mistaken = choose((p, f) => ew(p) && survivor(p, f));
  const wrong = death(rng, mistaken, rng.int(200, window(mistaken) - 300));
  fate(mistaken).cancelled = { ...wrong, cancelledOn: addDays(wrong.registeredOn, rng.int(50, 150)) };

  fate(choose((p, f) => ew(p) && survivor(p, f))).namesake = true;
  fate(choose((p, f) => p.nation === 'SCO' && survivor(p, f))).namesake = true;

  // A few routine clinic visits, each while the patient is alive and still followed.
  for (const p of rng.shuffle(patients.filter((q) => !taken.has(q.patientId))).slice(0, 12)) {
    const day = rng.int(170, 400);
    if (day < lived(p) - 1) fate(p).seenAlive.push(addDays(p.randomisedOn, day));
  }
  return fates;
}

/** A date of birth whose day and month can be swapped into another real date. */
export function swappable(date: string): boolean {
  const [, m, d] = date.split('-').map(Number);
  return d <= 12 && d !== m;
}
