import { RegistrySource } from '@trial/contracts';
import { generalCause, place, Place, registrationDelay } from './causes';
import { Patient } from './cohort';
import { addDays, daysBetween, max, monthEnds } from './dates';
import { Death, Fate, FINAL_COMPLETE } from './fates';
import { newChiNumber, newNhsNumber } from './identifiers';
import { givenNames, misspell, otherGivenName, surname } from './names';
import { EW_DISTRICTS, Nation, postcode, SCO_DISTRICTS } from './places';
import { Rng } from './prng';
import type { OpenCase } from './review-cases';

export type Kind = 'death' | 'death-cancelled' | 'embarkation' | 're-entry' | 'no-trace';

/** One version of one registry record, as an extract row will carry it. */
export interface RegistryRow {
  source: RegistrySource;
  /** Groups the versions of one record until ids are assigned. */
  key: string;
  recordId: string;
  version: number;
  kind: Kind;
  /** When the registry knew it: the row lands in the first extract complete up to this date. */
  reportedOn: string;
  nhsNumber: string | null;
  chiNumber: string | null;
  dateOfBirth: string;
  sex: 'M' | 'F';
  familyName: string;
  givenNames: string;
  postcode: string;
  dateOfDeath: string | null;
  dateOfRegistration: string | null;
  underlyingCause: string | null;
  placeOfDeath: Place | null;
  eventDate: string | null;
  /** Ground truth, never written to an extract: the trial patient this row is about. */
  patientId: string | null;
  /**
   * How a clerical reviewer should decide, if the linkage asks. `open`: the replay leaves it in
   * the queue for the demo's reviewer (review-cases.ts).
   */
  review: { decision: 'accept' | 'reject'; why: string; open?: OpenCase } | null;
}

export interface Extract {
  source: RegistrySource;
  completeUpTo: string;
  extractedOn: string;
  file: string;
  rows: RegistryRow[];
}

const sourceOf = (nation: Nation): RegistrySource => (nation === 'SCO' ? 'NRS' : 'ONS');

/** Quarterly ONS extracts and half-yearly NRS extracts, from the first quarter of 2006 to the census. */
export function extractSchedule(rng: Rng): Array<Omit<Extract, 'rows'>> {
  const ons = monthEnds('2006-03-31', FINAL_COMPLETE, 3).map((c) => ({
    source: 'ONS' as const,
    completeUpTo: c,
    extractedOn: addDays(c, rng.int(2, 10)),
  }));
  const nrs = monthEnds('2006-03-31', FINAL_COMPLETE, 6).map((c) => ({
    source: 'NRS' as const,
    completeUpTo: c,
    extractedOn: addDays(c, rng.int(5, 20)),
  }));
  return [...ons, ...nrs].map((e) => ({ ...e, file: `extracts/${e.source.toLowerCase()}-${e.completeUpTo}.csv` }));
}

/** The patient as the registry knows them: true NHS number, upper-case names. */
function asRegistered(p: Patient): Pick<RegistryRow, 'nhsNumber' | 'chiNumber' | 'dateOfBirth' | 'sex' | 'familyName' | 'givenNames' | 'postcode'> {
  return {
    nhsNumber: p.trueNhsNumber,
    chiNumber: p.chiNumber,
    dateOfBirth: p.dateOfBirth,
    sex: p.sex,
    familyName: p.familyName.toUpperCase(),
    givenNames: p.givenNames.toUpperCase(),
    postcode: p.postcode,
  };
}

const noDeath = { dateOfDeath: null, dateOfRegistration: null, underlyingCause: null, placeOfDeath: null } as const;

function deathRow(p: Patient, d: Death, key: string): RegistryRow {
  return {
    source: sourceOf(p.nation),
    key,
    recordId: '',
    version: 1,
    kind: 'death',
    reportedOn: d.registeredOn,
    ...asRegistered(p),
    dateOfDeath: d.on,
    dateOfRegistration: d.registeredOn,
    underlyingCause: d.cause,
    placeOfDeath: d.place,
    eventDate: null,
    patientId: p.patientId,
    review: null,
  };
}

function swapDayMonth(date: string): string {
  const [y, m, d] = date.split('-');
  return `${y}-${d}-${m}`;
}

/** The registry rows about trial patients, following each patient's fate. */
export function trialRows(rng: Rng, patients: Patient[], fates: Map<string, Fate>): RegistryRow[] {
  const rows: RegistryRow[] = [];
  for (const p of patients) {
    const f = fates.get(p.patientId) as Fate;
    const source = sourceOf(p.nation);
    const notice = (kind: Kind, eventDate: string | null, reportedOn: string): RegistryRow => ({
      source,
      key: `${p.patientId}:${kind}:${eventDate ?? reportedOn}`,
      recordId: '',
      version: 1,
      kind,
      reportedOn,
      ...asRegistered(p),
      ...noDeath,
      eventDate,
      patientId: p.patientId,
      review: null,
    });
    if (f.noTraceReportedOn) rows.push(notice('no-trace', null, f.noTraceReportedOn));
    if (f.embarkedOn) rows.push(notice('embarkation', f.embarkedOn, addDays(f.embarkedOn, rng.int(20, 60))));
    if (f.reEnteredOn) rows.push(notice('re-entry', f.reEnteredOn, addDays(f.reEnteredOn, rng.int(20, 60))));
    if (f.cancelled) {
      const first = deathRow(p, f.cancelled, `${p.patientId}:cancelled`);
      rows.push(first, { ...first, version: 2, kind: 'death-cancelled', reportedOn: f.cancelled.cancelledOn });
    }
    if (!f.death) continue;
    const row = deathRow(p, f.death, `${p.patientId}:death`);
    // One in ten dies away from the address the trial holds (moved, or in a care home).
    if (!f.idError && rng.chance(0.1)) row.postcode = postcode(rng, p.nation === 'SCO' ? SCO_DISTRICTS : EW_DISTRICTS);
    applyIdError(row, p, f, rng);
    if (f.amendment) {
      rows.push({ ...row, dateOfDeath: f.amendment.firstDateOfDeath }, { ...row, version: 2, reportedOn: f.amendment.reportedOn });
    } else {
      rows.push(row);
    }
  }
  return rows;
}

function applyIdError(row: RegistryRow, p: Patient, f: Fate, rng: Rng): void {
  const accept = (why: string): void => {
    row.review = { decision: 'accept', why };
  };
  switch (f.idError) {
    case null:
      return;
    case 'nhs-missing':
      row.nhsNumber = null;
      accept('no NHS number on the registration; surname, forenames, date of birth, sex and postcode all agree');
      return;
    case 'nhs-mistyped':
      accept(
        `the trial holds ${p.nhsNumber}, which fails Modulus 11 (two digits transposed); the registry's ${row.nhsNumber} differs only by that swap, and names, date of birth, sex and postcode agree`,
      );
      return;
    case 'dob-swap':
      row.nhsNumber = null;
      row.dateOfBirth = swapDayMonth(p.dateOfBirth);
      accept('no NHS number; date of birth has day and month swapped; names, sex and postcode agree');
      return;
    case 'surname-misspelt':
      row.chiNumber = null;
      row.familyName = misspell(p.familyName, rng).toUpperCase();
      accept(`no CHI number; surname spelt ${row.familyName} for ${p.familyName.toUpperCase()}; forenames, date of birth, sex and postcode agree`);
      return;
  }
}

/** A non-trial person who shares a surname, sex and birth year with a living patient: must not link. */
export function namesakeRows(rng: Rng, patients: Patient[], fates: Map<string, Fate>, taken: Set<string>): RegistryRow[] {
  return patients
    .filter((p) => (fates.get(p.patientId) as Fate).namesake)
    .map((p) => {
      const year = Number(p.dateOfBirth.slice(0, 4));
      let dob = p.dateOfBirth;
      while (dob === p.dateOfBirth || dob.slice(5) === p.dateOfBirth.slice(5)) dob = addDays(`${year}-01-01`, rng.int(0, 364));
      const on = addDays(max(p.randomisedOn, '2007-01-01'), rng.int(100, 900));
      const registeredOn = addDays(on, rng.int(2, 8));
      const scottish = p.nation === 'SCO';
      return {
        source: sourceOf(p.nation),
        key: `namesake:${p.patientId}`,
        recordId: '',
        version: 1,
        kind: 'death' as const,
        reportedOn: registeredOn,
        nhsNumber: scottish ? null : newNhsNumber(rng, taken),
        chiNumber: scottish ? newChiNumber(rng, dob, p.sex, taken) : null,
        dateOfBirth: dob,
        sex: p.sex,
        familyName: p.familyName.toUpperCase(),
        givenNames: otherGivenName(rng, p.sex, p.givenNames).toUpperCase(),
        postcode: postcode(rng, scottish ? SCO_DISTRICTS : EW_DISTRICTS),
        dateOfDeath: on,
        dateOfRegistration: registeredOn,
        underlyingCause: generalCause(rng),
        placeOfDeath: place(rng),
        eventDate: null,
        patientId: null,
        review: {
          decision: 'reject' as const,
          why: `namesake of ${p.patientId}: same surname, sex and birth year, but forenames, date of birth, ${scottish ? 'CHI' : 'NHS'} number and postcode differ`,
        },
      };
    });
}

/** Deaths of people outside the trial, registered within each extract's window: the haystack. */
export function unrelatedRows(rng: Rng, schedule: Array<Omit<Extract, 'rows'>>, patients: Patient[], taken: Set<string>): RegistryRow[] {
  const trialPeople = new Set(patients.map((p) => `${p.familyName.toUpperCase()}|${p.dateOfBirth}`));
  const rows: RegistryRow[] = [];
  for (const source of ['ONS', 'NRS'] as const) {
    let from = '2005-12-01';
    for (const e of schedule.filter((x) => x.source === source)) {
      const n = source === 'ONS' ? rng.int(140, 185) : rng.int(45, 65);
      for (let i = 0; i < n; i++) rows.push(stranger(rng, source, from, e.completeUpTo, taken, trialPeople, rows.length));
      from = addDays(e.completeUpTo, 1);
    }
  }
  return rows;
}

function stranger(rng: Rng, source: RegistrySource, from: string, to: string, taken: Set<string>, trialPeople: Set<string>, n: number): RegistryRow {
  const nation: Nation = source === 'NRS' ? 'SCO' : 'EW';
  const sex = rng.chance(0.52) ? 'F' : 'M';
  const registeredOn = addDays(from, rng.int(0, daysBetween(from, to)));
  const on = addDays(registeredOn, -registrationDelay(rng).days);
  const familyName = surname(rng, nation);
  let dateOfBirth = '';
  do {
    const age = Math.min(104, Math.max(25, rng.normal(79, 11)));
    dateOfBirth = addDays(on, -Math.round(age * 365.25));
  } while (trialPeople.has(`${familyName.toUpperCase()}|${dateOfBirth}`));
  const identified = rng.chance(0.97);
  return {
    source,
    key: `unrelated:${n}`,
    recordId: '',
    version: 1,
    kind: 'death',
    reportedOn: registeredOn,
    nhsNumber: source === 'ONS' && identified ? newNhsNumber(rng, taken) : null,
    chiNumber: source === 'NRS' && identified ? newChiNumber(rng, dateOfBirth, sex, taken) : null,
    dateOfBirth,
    sex,
    familyName: familyName.toUpperCase(),
    givenNames: givenNames(rng, sex).toUpperCase(),
    postcode: postcode(rng, nation === 'SCO' ? SCO_DISTRICTS : EW_DISTRICTS),
    dateOfDeath: on,
    dateOfRegistration: registeredOn,
    underlyingCause: generalCause(rng),
    placeOfDeath: place(rng),
    eventDate: null,
    patientId: null,
    review: null,
  };
}

const PREFIX: Record<Kind, string> = { death: 'D', 'death-cancelled': 'D', embarkation: 'E', 're-entry': 'R', 'no-trace': 'N' };

/**
 * Gives each record the registry's own id, numbered per year in the order the registry learnt
 * of it (ONS `D2009-000123`, NRS `S2009-00123`), and files every version in its extract.
 */
export function fileRows(rows: RegistryRow[], schedule: Array<Omit<Extract, 'rows'>>): Extract[] {
  const byOrder = [...rows].sort((a, b) => cmp(a.reportedOn, b.reportedOn) || cmp(a.key, b.key) || a.version - b.version);
  const ids = new Map<string, string>();
  const counters = new Map<string, number>();
  for (const r of byOrder) {
    if (!ids.has(r.key)) {
      const prefix = r.source === 'NRS' ? 'S' : PREFIX[r.kind];
      const series = `${r.source}:${prefix}${r.reportedOn.slice(0, 4)}`;
      const next = (counters.get(series) ?? 0) + 1;
      counters.set(series, next);
      ids.set(r.key, `${prefix}${r.reportedOn.slice(0, 4)}-${String(next).padStart(r.source === 'NRS' ? 5 : 6, '0')}`);
    }
    r.recordId = ids.get(r.key) as string;
  }
  return schedule
    .map((e) => ({ ...e, rows: [] as RegistryRow[] }))
    .map((e, _, all) => {
      const earlier = all
        .filter((x) => x.source === e.source && x.completeUpTo < e.completeUpTo)
        .map((x) => x.completeUpTo)
        .sort();
      const after = earlier.length ? earlier[earlier.length - 1] : '';
      e.rows = byOrder.filter((r) => r.source === e.source && r.reportedOn > after && r.reportedOn <= e.completeUpTo);
      return e;
    });
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
