/**
 * Seeded generator of a realistic trial cohort and a corrupted registry extract with ground
 * truth, for the linkage benchmark and tests. Same seed, same files.
 *
 *   node dist/bench/linkage/generate.js [--seed 42] [--patients 100000] [--rows 1000000] [--layout ons|nrs] [--out DIR]
 *
 * Writes DIR/cohort.csv (link-cli.md layout), DIR/extract.csv (feeds.md ONS or NRS layout) and
 * DIR/truth.csv (`line,patientId,expected,tags`): expected is `match` (the row belongs to
 * patientId), `match-review` (it does, but the death predates randomisation, so review is the
 * right answer), `nonmatch` (someone else) or `malformed` (must be rejected); tags name the
 * corruptions applied (no personal data). The people are synthetic.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, isValidChiNumber, isValidNhsNumber, modulus11CheckDigit, seededRng } from '@trial/linkage';
import { commonSurnames, femaleNames, maleNames, postcodeAreas, syllableSurname } from './names';
import { arg } from './args';

/**
 * Bumped whenever the same seed would give different files, so cached data sets (the bench's,
 * under the OS temp dir) are regenerated rather than silently reused.
 */
export const generatorVersion = 3;

export interface GenerateOptions {
  seed: number;
  patients: number;
  rows: number;
  layout: 'ons' | 'nrs';
  outDir: string;
}

export interface GenerateSummary {
  cohortPath: string;
  extractPath: string;
  truthPath: string;
  counts: Record<string, number>;
}

interface Person {
  nhs: string | null;
  chi: string | null;
  dob: string;
  sex: 'M' | 'F';
  family: string;
  given: string;
  postcode: string;
}

interface Patient extends Person {
  patientId: string;
  randomisedOn: string;
  /** The identifier as mistyped at enrolment (fails its check), when it was; the registry has the true one. */
  enrolledId?: string;
}

interface Row {
  recordId: string;
  version: number;
  type: 'D' | 'E' | 'R' | 'N';
  cancelled: boolean;
  person: Omit<Partial<Person>, 'dob'> & { dob: string | null };
  dod: string | null;
  dor: string | null;
  eventDate: string | null;
  cause: string;
  place: string;
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const UNIT = 'ABDEFGHJLNPQRSTUWXYZ';
const CAUSES = ['I21.9', 'C34.9', 'J44.9', 'I64', 'F03', 'C18.9', 'I25.1', 'J18.9', 'C61', 'I50.9'];
const PLACES = ['hospital', 'home', 'care-home', 'hospice', 'other'];

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const pick = <T>(r: Rng, a: readonly T[]): T => a[Math.floor(r() * a.length)];
const dayMs = 86_400_000;
const toIso = (t: number): string => new Date(t).toISOString().slice(0, 10);
const isoToMs = (s: string): number => Date.parse(`${s}T00:00:00Z`);
const addDays = (s: string, d: number): string => toIso(isoToMs(s) + d * dayMs);

/** Zipf-like weighted pick over the common surnames, else a made-up long-tail name. */
function makeSurnamePicker(r: Rng): () => string {
  const weights = commonSurnames.map((_, i) => 1 / Math.pow(i + 2, 0.9));
  const total = weights.reduce((a, b) => a + b, 0);
  const cum: number[] = [];
  let acc = 0;
  for (const w of weights) cum.push((acc += w / total));
  return () => {
    if (r() < 0.35) return syllableSurname(r);
    const x = r();
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return commonSurnames[lo];
  };
}

function typo(r: Rng, s: string): string {
  if (s.length < 3) return s + pick(r, LETTERS.split(''));
  const i = 1 + Math.floor(r() * (s.length - 2));
  const op = Math.floor(r() * 4);
  if (op === 0) return s.slice(0, i) + pick(r, LETTERS.split('')) + s.slice(i + 1);
  if (op === 1) return s.slice(0, i) + s.slice(i + 1);
  if (op === 2) return s.slice(0, i) + s[i] + s.slice(i);
  return s.slice(0, i - 1) + s[i] + s[i - 1] + s.slice(i + 1);
}

export function generate(opts: GenerateOptions): GenerateSummary {
  const r = seededRng(opts.seed);
  const surname = makeSurnamePicker(r);
  const usedIds = new Set<string>();
  const counts: Record<string, number> = {};
  const count = (k: string): void => {
    counts[k] = (counts[k] ?? 0) + 1;
  };

  // A valid number (Modulus 11) not handed out before, from a generator of its first nine digits.
  const unique = (first9: () => string): string => {
    for (;;) {
      const f = first9();
      const c = modulus11CheckDigit(f);
      if (c === null) continue;
      const n = f + c;
      if (usedIds.has(n)) continue;
      usedIds.add(n);
      return n;
    }
  };
  const newNhs = (): string => unique(() => String(4 + Math.floor(r() * 4)) + pad(Math.floor(r() * 1e8), 8));
  const newChi = (dob: string, sex: 'M' | 'F'): string =>
    unique(() => {
      const ddmmyy = dob.slice(8, 10) + dob.slice(5, 7) + dob.slice(2, 4);
      let sexDigit = Math.floor(r() * 10);
      if ((sexDigit % 2 === 1) !== (sex === 'M')) sexDigit = (sexDigit + 1) % 10;
      return ddmmyy + pad(Math.floor(r() * 100)) + sexDigit;
    });
  const districts: string[] = [];
  for (const a of postcodeAreas) for (let d = 1; d <= 25; d++) districts.push(`${a}${d}`);
  const cohortDistricts = Array.from({ length: 1000 }, () => pick(r, districts));
  const postcodeIn = (district: string): string => `${district} ${Math.floor(r() * 10)}${pick(r, UNIT.split(''))}${pick(r, UNIT.split(''))}`;
  const randomPostcode = (local: boolean): string => postcodeIn(pick(r, local ? cohortDistricts : districts));
  const randomDob = (): string => toIso(Date.UTC(1920, 0, 1) + Math.floor(r() * 50 * 365.25) * dayMs);
  const givenFor = (sex: 'M' | 'F'): string => {
    const list = sex === 'M' ? maleNames : femaleNames;
    const first = list[Math.floor(Math.pow(r(), 1.6) * list.length)];
    return r() < 0.45 ? `${first} ${pick(r, list)}` : first;
  };
  const scottish = opts.layout === 'nrs';
  const newPerson = (local: boolean): Person => {
    const sex = r() < 0.5 ? 'M' : 'F';
    const dob = randomDob();
    return {
      nhs: scottish ? null : newNhs(),
      chi: scottish ? newChi(dob, sex) : null,
      dob,
      sex,
      family: r() < 0.01 ? `${surname()}-${surname()}` : surname(),
      given: givenFor(sex),
      postcode: randomPostcode(local),
    };
  };

  // The cohort: randomised 2005-2010.
  const patients: Patient[] = [];
  for (let i = 0; i < opts.patients; i++) {
    const p = newPerson(true);
    patients.push({ ...p, patientId: `P${pad(i + 1, 6)}`, randomisedOn: toIso(Date.UTC(2005, 0, 1) + Math.floor(r() * 6 * 365) * dayMs) });
  }

  // 1% of patients had their NHS (CHI) number mistyped at enrolment: one digit substituted or
  // two adjacent digits swapped, which Modulus 11 always catches, so the trial holds an invalid
  // number (PatientRandomised does not reject one) while the registry has the true, valid one.
  // This is where the identifier level `near` fires: registry numbers are valid (ingest rejects
  // the others), and two valid numbers are never one digit or transposition apart. Drawn from a
  // stream of its own so that every other value is what generator version 1 gave for the seed.
  const enrolment = seededRng(opts.seed ^ 0x2545f491);
  const idValid = scottish ? isValidChiNumber : isValidNhsNumber;
  for (const p of patients) {
    if (enrolment() >= 0.01) continue;
    const v = (scottish ? p.chi : p.nhs) as string;
    for (;;) {
      const i = Math.floor(enrolment() * 10);
      let typed: string;
      if (enrolment() < 0.5) typed = v.slice(0, i) + ((Number(v[i]) + 1 + Math.floor(enrolment() * 9)) % 10) + v.slice(i + 1);
      else {
        const j = Math.min(i, 8);
        typed = v.slice(0, j) + v[j + 1] + v[j] + v.slice(j + 2);
      }
      if (typed !== v && !idValid(typed)) {
        p.enrolledId = typed;
        break;
      }
    }
  }

  // Registry identity of a cohort patient, with the corruptions registries make.
  const corrupt = (p: Patient, tags: string[]): Row['person'] => {
    const { nhs, chi, dob, sex, family, given, postcode } = p;
    const q: Row['person'] = { nhs, chi, dob, sex, family, given, postcode };
    if (p.enrolledId !== undefined) tags.push('enrolled-id-mistyped');
    const id = scottish ? 'chi' : 'nhs';
    const x = r();
    if (x < 0.1) {
      q[id] = null;
      tags.push('id-dropped');
    } else if (x < 0.12) {
      const v = p[id] as string;
      const i = Math.floor(r() * 10);
      q[id] = v.slice(0, i) + ((Number(v[i]) + 1 + Math.floor(r() * 8)) % 10) + v.slice(i + 1);
      tags.push('id-mistyped');
    } else if (x < 0.13) {
      q[id] = scottish ? newChi(p.dob, p.sex) : newNhs();
      tags.push('id-wrong-valid');
    }
    const f = r();
    if (p.sex === 'F' && f < 0.04) {
      q.family = surname();
      tags.push('married-name');
    } else if (f < 0.09) {
      q.family = typo(r, p.family);
      tags.push('family-typo');
    } else if (p.family.includes('-') && f < 0.5) {
      q.family = p.family.split('-')[1];
      tags.push('family-part');
    }
    const g = r();
    const parts = p.given.split(' ');
    if (g < 0.03) {
      q.given = typo(r, p.given);
      tags.push('given-typo');
    } else if (g < 0.13 && parts.length > 1) {
      q.given = parts[0];
      tags.push('middle-dropped');
    } else if (g < 0.15) {
      q.given = parts[0][0];
      tags.push('given-initial');
    } else if (g < 0.16 && parts.length > 1) {
      q.given = `${parts[1]} ${parts[0]}`;
      tags.push('given-reordered');
    }
    const d = r();
    const [y, m, dd] = p.dob.split('-');
    if (d < 0.015 && Number(dd) <= 12 && dd !== m) {
      q.dob = `${y}-${dd}-${m}`;
      tags.push('dob-swap');
    } else if (d < 0.025) {
      q.dob = addDays(p.dob, r() < 0.5 ? -1 : 1);
      tags.push('dob-one-day');
    } else if (d < 0.03) {
      q.dob = `${Number(y) + (r() < 0.5 ? -1 : 1)}-${m}-${dd}`;
      tags.push('dob-year');
    } else if (d < 0.04) {
      q.dob = null;
      tags.push('dob-missing');
    }
    if (scottish && q.chi && q.dob !== p.dob) {
      // The registry's CHI is derived from its own date of birth: keep them consistent.
      q.chi = null;
      tags.push('id-dropped-with-dob');
    }
    const s = r();
    if (s < 0.01) {
      q.sex = undefined;
      tags.push('sex-missing');
    } else if (s < 0.013) {
      q.sex = p.sex === 'M' ? 'F' : 'M';
      tags.push('sex-wrong');
      if (scottish) q.chi = null;
    }
    const pc = r();
    if (pc < 0.15) {
      q.postcode = randomPostcode(r() < 0.5);
      tags.push('moved');
    } else if (pc < 0.18) {
      q.postcode = postcodeIn(p.postcode.split(' ')[0]);
      tags.push('moved-nearby');
    } else if (pc < 0.23) {
      q.postcode = undefined;
      tags.push('postcode-missing');
    }
    return q;
  };

  let seq = 0;
  const recordId = (prefix: string, year: string): string => `${prefix}${year}-${pad(++seq, 7)}`;
  const lag = (): number => {
    const x = r();
    return x < 0.7 ? 1 + Math.floor(r() * 7) : x < 0.95 ? 8 + Math.floor(r() * 53) : 61 + Math.floor(r() * 140);
  };
  const END = '2011-09-30';
  const clampEnd = (s: string): string => (s > END ? END : s);

  // Rows that belong to cohort patients (with the patient they belong to), in order.
  type Planned = { row: Row; patientId: string | null; expected: 'match' | 'match-review' | 'nonmatch'; tags: string[] };
  const planned: Planned[] = [];
  for (const p of patients) {
    const x = r();
    if (x < 0.2) {
      const tags: string[] = [];
      let dod = clampEnd(addDays(p.randomisedOn, 1 + Math.floor(r() * 2200)));
      let expected: Planned['expected'] = 'match';
      if (r() < 0.002) {
        dod = addDays(p.randomisedOn, -1 - Math.floor(r() * 300));
        expected = 'match-review';
        tags.push('death-before-randomisation');
      }
      const person = corrupt(p, tags);
      const row: Row = {
        recordId: recordId('D', dod.slice(0, 4)),
        version: 1,
        type: 'D',
        cancelled: false,
        person,
        dod,
        dor: addDays(dod, lag()),
        eventDate: null,
        cause: pick(r, CAUSES),
        place: pick(r, PLACES),
      };
      planned.push({ row, patientId: p.patientId, expected, tags });
      const a = r();
      if (a < 0.03)
        planned.push({
          row: { ...row, version: 2, dod: addDays(dod, -Math.floor(r() * 5)), cause: pick(r, CAUSES) },
          patientId: p.patientId,
          expected,
          tags: [...tags, 'amended'],
        });
      else if (a < 0.04)
        planned.push({ row: { ...row, version: 2, cancelled: true }, patientId: p.patientId, expected, tags: [...tags, 'cancelled'] });
    } else if (x < 0.21) {
      const tags: string[] = [];
      const person = corrupt(p, tags);
      const when = clampEnd(addDays(p.randomisedOn, 30 + Math.floor(r() * 1500)));
      planned.push({
        row: {
          recordId: recordId('E', when.slice(0, 4)),
          version: 1,
          type: 'E',
          cancelled: false,
          person,
          dod: null,
          dor: null,
          eventDate: when,
          cause: '',
          place: '',
        },
        patientId: p.patientId,
        expected: 'match',
        tags: [...tags, 'embarkation'],
      });
      if (r() < 0.5) {
        const back = clampEnd(addDays(when, 30 + Math.floor(r() * 400)));
        const reTags: string[] = [];
        const rePerson = corrupt(p, reTags);
        planned.push({
          row: {
            recordId: recordId('R', back.slice(0, 4)),
            version: 1,
            type: 'R',
            cancelled: false,
            person: rePerson,
            dod: null,
            dor: null,
            eventDate: back,
            cause: '',
            place: '',
          },
          patientId: p.patientId,
          expected: 'match',
          tags: [...reTags, 're-entry'],
        });
      }
    } else if (x < 0.215) {
      const tags: string[] = [];
      planned.push({
        row: {
          recordId: recordId('N', '2011'),
          version: 1,
          type: 'N',
          cancelled: false,
          person: corrupt(p, tags),
          dod: null,
          dor: null,
          eventDate: null,
          cause: '',
          place: '',
        },
        patientId: p.patientId,
        expected: 'match',
        tags: [...tags, 'no-trace'],
      });
    }
    // Hard negatives: a twin or a namesake of this patient dies and is registered.
    const h = r();
    if (h < 0.01) {
      const sex = r() < 0.5 ? 'M' : 'F';
      let given = givenFor(sex);
      while (given.split(' ')[0] === p.given.split(' ')[0]) given = givenFor(sex);
      const twin: Person = {
        ...p,
        sex,
        given,
        nhs: scottish ? null : newNhs(),
        chi: scottish ? newChi(p.dob, sex) : null,
        postcode: r() < 0.6 ? p.postcode : randomPostcode(true),
      };
      planned.push(deathOf(twin, ['twin']));
    } else if (h < 0.03) {
      const sameDob = r() < 0.1;
      const dob = sameDob ? p.dob : `${p.dob.slice(0, 4)}-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))}`;
      const namesake: Person = {
        ...p,
        dob,
        nhs: scottish ? null : newNhs(),
        chi: scottish ? newChi(dob, p.sex) : null,
        postcode: randomPostcode(r() < 0.3),
      };
      planned.push(deathOf(namesake, [sameDob ? 'namesake-same-dob' : 'namesake']));
    }
  }
  function deathOf(person: Person, tags: string[]): Planned {
    const dod = toIso(Date.UTC(2005, 0, 1) + Math.floor(r() * 6.7 * 365) * dayMs);
    const q: Row['person'] = { ...person };
    if (r() < 0.1) {
      if (scottish) q.chi = null;
      else q.nhs = null;
      tags.push('id-dropped');
    }
    return {
      row: {
        recordId: recordId('D', dod.slice(0, 4)),
        version: 1,
        type: 'D',
        cancelled: false,
        person: q,
        dod,
        dor: addDays(dod, lag()),
        eventDate: null,
        cause: pick(r, CAUSES),
        place: pick(r, PLACES),
      },
      patientId: null,
      expected: 'nonmatch',
      tags,
    };
  }

  mkdirSync(opts.outDir, { recursive: true });
  const cohortPath = join(opts.outDir, 'cohort.csv');
  const extractPath = join(opts.outDir, 'extract.csv');
  const truthPath = join(opts.outDir, 'truth.csv');
  const writer = (path: string): { line: (s: string) => void; close: () => void } => {
    const fd = openSync(path, 'w');
    let buf: string[] = [];
    const flush = (): void => {
      if (buf.length) writeSync(fd, buf.join(''));
      buf = [];
    };
    return {
      line: (s) => {
        buf.push(s + '\n');
        if (buf.length >= 10_000) flush();
      },
      close: () => {
        flush();
        closeSync(fd);
      },
    };
  };
  const cohort = writer(cohortPath);
  cohort.line('trialId,patientId,arm,randomisedOn,nhsNumber,chiNumber,dateOfBirth,sex,familyName,givenNames,postcode');
  for (const p of patients) {
    const nhs = scottish ? p.nhs : (p.enrolledId ?? p.nhs);
    const chi = scottish ? (p.enrolledId ?? p.chi) : p.chi;
    cohort.line(
      [
        'BENCH-1',
        p.patientId,
        r() < 0.5 ? 'control' : 'treatment',
        p.randomisedOn,
        nhs ?? '',
        chi ?? '',
        p.dob,
        p.sex,
        titleCase(p.family),
        titleCase(p.given),
        p.postcode,
      ].join(','),
    );
  }
  cohort.close();

  const extract = writer(extractPath);
  const truth = writer(truthPath);
  const ons = opts.layout === 'ons';
  extract.line(
    ons
      ? 'RECORD_ID,RECORD_VERSION,NOTIFICATION_TYPE,DEC_CONF_NHS_NUMBER,DEC_DATE_OF_BIRTH,DEC_SEX,DEC_SURNAME,DEC_FORENAMES,DEC_POSTCODE,REG_DATE_OF_DEATH,REG_DATE,S_UNDERLYING_COD_ICD10,POD_CODE,EVENT_DATE,CANCELLED_FLAG'
      : 'ENTRY_ID,VERSION,TYPE,CHI,DATE_OF_BIRTH,SEX,SURNAME,FORENAMES,POSTCODE,DATE_OF_DEATH,DATE_OF_REGISTRATION,UNDERLYING_CAUSE,EVENT_DATE,CANCELLED',
  );
  truth.line('line,patientId,expected,tags');
  const date = (s: string | null | undefined): string => (s ? (ons ? s.replace(/-/g, '') : s) : '');
  const sexCode = (s: 'M' | 'F' | undefined): string => (s === undefined ? (ons ? '9' : '') : ons ? (s === 'M' ? '1' : '2') : s);
  const cells = (w: Row): string[] => {
    const p = w.person;
    const id = (ons ? p.nhs : p.chi) ?? '';
    return ons
      ? [
          w.recordId,
          String(w.version),
          w.type,
          id,
          date(p.dob),
          sexCode(p.sex),
          p.family ?? '',
          p.given ?? '',
          p.postcode ?? '',
          date(w.dod),
          date(w.dor),
          w.cause,
          w.place,
          date(w.eventDate),
          w.cancelled ? 'Y' : '',
        ]
      : [
          w.recordId,
          String(w.version),
          w.type,
          id,
          date(p.dob),
          sexCode(p.sex),
          p.family ?? '',
          p.given ?? '',
          p.postcode ?? '',
          date(w.dod),
          date(w.dor),
          w.cause,
          date(w.eventDate),
          w.cancelled ? 'Y' : '',
        ];
  };
  // Column indexes for malformations.
  const col = ons
    ? { id: 3, dob: 4, sex: 5, dod: 9, dor: 10, type: 2, recordId: 0, version: 1 }
    : { id: 3, dob: 4, sex: 5, dod: 9, dor: 10, type: 2, recordId: 0, version: 1 };
  const malform = (c: string[], tags: string[]): string => {
    const k = Math.floor(r() * 8);
    switch (k) {
      case 0:
        c[col.dod] = ons ? '20090231' : '2009-02-31';
        tags.push('bad-date');
        break;
      case 1:
        c[col.dob] = date(addDays(w2iso(c[col.dod]) ?? '2009-01-01', 400));
        tags.push('death-before-birth');
        break;
      case 2:
        c[col.dor] = date(addDays(w2iso(c[col.dod]) ?? '2009-01-01', -3));
        tags.push('registration-before-death');
        break;
      case 3:
        c[col.type] = 'X';
        tags.push('unknown-type');
        break;
      case 4:
        c[col.sex] = '7';
        tags.push('unknown-sex');
        break;
      case 5:
        c[col.recordId] = '';
        tags.push('missing-id');
        break;
      case 6:
        c[col.version] = 'one';
        tags.push('bad-version');
        break;
      default:
        return c.slice(0, c.length - 3).join(',');
    }
    return c.join(',');
  };
  function w2iso(s: string): string | null {
    if (ons) return /^\d{8}$/.test(s) ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}` : null;
    return /^\d{4}-\d{2}-\d{2}$/.test(s) ? s : null;
  }
  let next = 0;
  for (let i = 0; i < opts.rows; i++) {
    const remaining = opts.rows - i;
    const line = i + 2;
    let p: Planned;
    if (next < planned.length && r() < (planned.length - next) / remaining) p = planned[next++];
    else p = deathOf(newPerson(r() < 0.5), ['unrelated']);
    const tags = [...p.tags];
    let text: string;
    let expected: string = p.expected;
    // Generator version 3: the same files as version 2, labelled by feeds.md's "Identifier
    // checks" as it now reads. A mistyped number is damage to one field, not a reason to drop the
    // registration, so the row keeps its truth (match or nonmatch); so do a registration dated
    // before the death and an unknown sex code (warnings). Only rows that cannot be a
    // registration are malformed. (A mistyped row draws no malformation, as in version 2, so the
    // random stream and the files are unchanged.)
    if (!tags.includes('id-mistyped') && p.row.type === 'D' && r() < 0.003) {
      text = malform(cells(p.row), tags);
      if (!tags.includes('registration-before-death') && !tags.includes('unknown-sex')) expected = 'malformed';
    } else text = cells(p.row).join(',');
    extract.line(text);
    truth.line(`${line},${p.patientId ?? ''},${expected},${tags.join(' ')}`);
    count(expected);
  }
  extract.close();
  truth.close();
  return { cohortPath, extractPath, truthPath, counts };
}

function titleCase(s: string): string {
  return s.toLowerCase().replace(/(^|[\s-])([a-z])/g, (_, a: string, b: string) => a + b.toUpperCase());
}

if (require.main === module) {
  const layout = arg('layout', 'ons');
  if (layout !== 'ons' && layout !== 'nrs') throw new Error('--layout must be ons or nrs');
  const s = generate({
    seed: Number(arg('seed', '42')),
    patients: Number(arg('patients', '100000')),
    rows: Number(arg('rows', '1000000')),
    layout,
    outDir: arg('out', 'bench/linkage/data'),
  });
  process.stdout.write(`${JSON.stringify(s)}\n`);
}
