import { generalCause, place } from './causes';
import { Patient } from './cohort';
import { addDays, daysBetween } from './dates';
import { Fate, FINAL_COMPLETE } from './fates';
import { EW_DISTRICTS, postcode } from './places';
import { Rng } from './prng';
import { RegistryRow } from './registry';

/** The clerical cases the demo leaves in the queue for a reviewer (issue 16, item 3). */
export type OpenCase = 'namesake' | 'death-before-randomisation';

/**
 * Two registrations the demo's replay does not decide, so that the reviewer's screen has genuine
 * work when the demo ends. Neither is a trial patient's death, so the ground truth (and the
 * paper's table) is as without them; the linkage's own model sends both to review:
 * - a namesake: a non-trial person with a patient's family and given names and sex, born a day
 *   from the patient (one digit of the date), registered with no NHS number at another address.
 *   Names and the near date outweigh the address, but not by enough to link (between-thresholds).
 * - a death dated before randomisation: a registration with a living patient's NHS number and
 *   details, dated weeks before the patient was randomised and registered after (a late
 *   registration). The number links it deterministically and the date sends it to review. The
 *   patient was randomised alive, so it cannot be their death: a reviewer rejects it and queries
 *   the registry; accepted, it would count as a death on day 0.
 * Each picks a living English or Welsh patient with no other special case, from its own stream.
 */
export function openCaseRows(rng: Rng, patients: Patient[], fates: Map<string, Fate>): RegistryRow[] {
  const plain = patients.filter(
    (p) =>
      p.nation === 'EW' &&
      p.nhsNumber !== null &&
      p.nhsNumber === p.trueNhsNumber &&
      isPlain(fates.get(p.patientId) as Fate) &&
      daysBetween(p.randomisedOn, FINAL_COMPLETE) > 700,
  );
  const early = rng.pick(plain);
  const namesakeOf = rng.pick(plain.filter((p) => p !== early));
  return [beforeRandomisation(rng, early), namesake(rng, namesakeOf)];
}

function isPlain(f: Fate): boolean {
  return (
    f.death === null &&
    f.amendment === null &&
    f.idError === null &&
    f.embarkedOn === null &&
    f.reEnteredOn === null &&
    f.withdrawnOn === null &&
    f.noTraceReportedOn === null &&
    f.cancelled === null &&
    !f.namesake
  );
}

const base = (p: Patient) => ({
  source: 'ONS' as const,
  recordId: '',
  version: 1,
  kind: 'death' as const,
  chiNumber: null,
  sex: p.sex,
  familyName: p.familyName.toUpperCase(),
  givenNames: p.givenNames.toUpperCase(),
  eventDate: null,
  patientId: null,
});

function beforeRandomisation(rng: Rng, p: Patient): RegistryRow {
  const on = addDays(p.randomisedOn, -rng.int(10, 40));
  const registeredOn = addDays(p.randomisedOn, rng.int(60, 150));
  return {
    ...base(p),
    key: `open-case:early:${p.patientId}`,
    reportedOn: registeredOn,
    nhsNumber: p.trueNhsNumber,
    dateOfBirth: p.dateOfBirth,
    postcode: p.postcode,
    dateOfDeath: on,
    dateOfRegistration: registeredOn,
    underlyingCause: generalCause(rng),
    placeOfDeath: place(rng),
    review: {
      decision: 'reject',
      open: 'death-before-randomisation',
      why: `dated ${daysBetween(on, p.randomisedOn)} days before ${p.patientId} was randomised alive: not their death; query the registry`,
    },
  };
}

function namesake(rng: Rng, p: Patient): RegistryRow {
  const on = addDays(p.randomisedOn, rng.int(300, daysBetween(p.randomisedOn, FINAL_COMPLETE) - 200));
  const registeredOn = addDays(on, rng.int(2, 8));
  let address = p.postcode;
  while (district(address) === district(p.postcode)) address = postcode(rng, EW_DISTRICTS);
  return {
    ...base(p),
    key: `open-case:namesake:${p.patientId}`,
    reportedOn: registeredOn,
    nhsNumber: null,
    dateOfBirth: dayApart(p.dateOfBirth),
    postcode: address,
    dateOfDeath: on,
    dateOfRegistration: registeredOn,
    underlyingCause: generalCause(rng),
    placeOfDeath: place(rng),
    review: {
      decision: 'reject',
      open: 'namesake',
      why: `namesake of ${p.patientId}: same names and sex, born a day apart, no NHS number, another district; the patient is alive`,
    },
  };
}

const district = (code: string): string => code.split(' ')[0];

/** The day after `date`, or the day before where that differs in fewer digits: 1941-03-14 -> 1941-03-15, 1941-03-19 -> 1941-03-18. */
export function dayApart(date: string): string {
  const oneDigit = (d: string) => [...d].filter((c, i) => c !== date[i]).length === 1;
  const next = addDays(date, 1);
  return oneDigit(next) ? next : addDays(date, -1);
}
