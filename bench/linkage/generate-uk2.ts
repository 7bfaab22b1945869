/**
 * The second, independent generator of the linkage benchmark ("uk2"): a small trial and a
 * registry of deaths nationally, several times larger, most of them unrelated to the trial.
 *
 * Independent of generate.ts on purpose. The shipped model (libs/linkage/src/default-model.json)
 * was trained on generate.ts's data; it is never trained on this generator's, so the figures
 * measured here show how the model and the decision hold on data they were not fitted to. This
 * file, people-uk2.ts and pools-uk2.ts share no code, pool or frequency with generate.ts and
 * names.ts (only the seeded PRNG and the identifier check digits of @trial/linkage, which are
 * the contract's). Do not train on it, and do not tune thresholds to it.
 *
 *   node dist/bench/linkage/generate-uk2.js [--seed 42] [--patients 4000] [--rows 40000] [--layout ons|nrs] [--out DIR]
 *   (DIR defaults to $TMPDIR/trial-followup-uk2-LAYOUT)
 *
 * What it draws: people from a mixture of origins (English, Welsh, Scottish, Irish, South Asian,
 * Polish, Chinese; the mixture differs between England & Wales and Scotland), surnames by a Zipf
 * law within each origin (Welsh very concentrated, Polish flat) plus a long tail, sex forms of
 * surnames (-SKA, KAUR, BEGUM), given names by sex and birth decade, postcodes weighted by area.
 * The trial recruits 2022-2026 around a few sites; patients die at an age-dependent hazard. The
 * registry holds their deaths, embarkations and no-trace rows, the deaths of their twins,
 * spouses, namesakes and same-named parents or children (hard negatives), and a national sample
 * of unrelated deaths, in the order the registry issued them, with amendments and cancellations.
 *
 * Damage on the registration side (valid registrations: truth `match` or `nonmatch`): NHS/CHI
 * numbers mistyped so that they fail their check, CHI numbers whose date prefix disagrees with
 * the date-of-birth column (issued with a date of birth corrected since, or the column itself
 * mistyped), CHI sex digit against a wrong sex, rows with no number and no postcode but the
 * trial's exact names, date of birth and sex, missing numbers, someone else's valid number, name
 * typos and spellings, married names, nicknames, dropped middle names, day/month swaps, moves,
 * missing fields. Malformed (truth `malformed`) are only the rows feeds.md says cannot be a
 * registration: an unknown kind, a missing or unparseable record id, version or date of death,
 * a death with no date of death, a death dated before the birth.
 *
 * Writes DIR/cohort.csv (link-cli.md), DIR/extract.csv (feeds.md ONS or NRS layout) and
 * DIR/truth.csv (`line,patientId,expected,tags`, as generate.ts: expected is match, match-review
 * (the death predates randomisation), nonmatch or malformed; tags name what was done to the row,
 * never personal data). Same seed, same files. The people are synthetic.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isValidChiNumber, isValidNhsNumber, seededRng } from '@trial/linkage';
import { nicknames, spellings } from './pools-uk2';
import { Layout, Sex, Uk2Person, Uk2Population, ddmmyy, dayOf, isoOf, normal, pad, pickOf, realIso } from './people-uk2';
import { arg } from './args';

/** Bumped whenever the same seed would give different files (the bench caches data sets by it). */
export const uk2Version = 1;
export const uk2Defaults = { patients: 4000, rows: 40_000 } as const;
/** The date the extract is taken, and the last registration date it holds. */
export const uk2ExtractedOn = '2026-10-05';
export const uk2CompleteUpTo = '2026-09-30';

export interface Uk2Options {
  seed: number;
  patients: number;
  rows: number;
  layout: Layout;
}

export type Expected = 'match' | 'match-review' | 'nonmatch' | 'malformed';

/** The three files as lines (headers included), and how many rows of each truth there are. */
export interface Uk2Data {
  cohort: string[];
  extract: string[];
  truth: string[];
  counts: Record<string, number>;
}

/** What a registration says about its person; null = the cell is empty. */
interface RegIdentity {
  id: string | null;
  dob: number | null;
  sex: Sex | null;
  family: string;
  given: string | null;
  postcode: string | null;
}

type Kind = 'D' | 'E' | 'R' | 'N';

interface RegRow {
  recordId: string;
  version: number;
  kind: Kind;
  cancelled: boolean;
  who: RegIdentity;
  dod: number | null;
  dor: number | null;
  eventDate: number | null;
  cause: string;
  place: string;
  /** The day the registry issued this version: the extract is in this order. */
  issued: number;
  patientId: string | null;
  expected: Exclude<Expected, 'malformed'>;
  tags: string[];
}

/** Whose row it is and what the right answer is. */
interface Owner {
  patientId: string | null;
  expected: Exclude<Expected, 'malformed'>;
  tags: string[];
}

interface Patient {
  patientId: string;
  person: Uk2Person;
  randomisedOn: number;
  age: number;
  /** What the trial recorded. */
  given: string;
  family: string;
  postcode: string;
}

const START = dayOf('2022-01-01');
const END = dayOf(uk2CompleteUpTo);
const CAUSES = ['I50.0', 'I21.4', 'I48.9', 'C34.1', 'J44.1', 'G30.9', 'I63.9', 'C25.9', 'N18.5', 'E11.9', 'U07.1', 'C50.9', 'J22', 'K70.3', 'X59'];
const PLACES = ['NHS hospital', 'home', 'care home', 'hospice', 'other'];
const QWERTY = ['QWERTYUIOP', 'ASDFGHJKL', 'ZXCVBNM'];

export function buildUk2(opts: Uk2Options): Uk2Data {
  // A stream of its own: the same seed here and in generate.ts gives unrelated draws.
  const r = seededRng((opts.seed ^ 0x75b2c0de) >>> 0);
  const ons = opts.layout === 'ons';
  const pop = new Uk2Population(r, opts.layout, ons ? 12 : 5);
  const chance = (p: number): boolean => r() < p;
  const between = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

  // --- The trial: randomised March 2022 to March 2026, aged 45-92 (triangular, peak about 68).
  const patients: Patient[] = [];
  const randomFrom = dayOf('2022-03-01');
  const randomTo = dayOf('2026-03-31');
  for (let i = 0; i < opts.patients; i++) {
    const randomisedOn = between(randomFrom, randomTo);
    const age = 45 + 47 * ((r() + r()) / 2);
    const dob = Math.floor(randomisedOn - age * 365.25);
    // A patient randomised in 2026 may have been first registered in Scotland in 2026.
    const person = pop.person(dob, { local: chance(0.88), chiFrom2026: randomisedOn >= dayOf('2026-01-01') && chance(0.15), correctedShare: 0.015 });
    patients.push({ patientId: `UK2-${pad(i + 1, 5)}`, person, randomisedOn, age, ...trialRecord(person) });
  }

  /** The trial's record of a person: case as a clinic types it, often without the middle names. */
  function trialRecord(p: Uk2Person): { given: string; family: string; postcode: string } {
    let given = [...p.given];
    const x = r();
    if (given.length > 1 && x < 0.015)
      given = [given[1]]; // known by the middle name
    else if (given.length > 1 && x < 0.3) given = [given[0]];
    else if (x > 0.97 && nicknames[given[0]]) given[0] = pickOf(r, nicknames[given[0]]); // the name they go by
    return { given: titleCase(given.join(' ')), family: titleCase(p.family), postcode: p.postcode };
  }

  // --- Registration-side corruption of a person's identity.
  const typo = (s: string): string => {
    const letters = s.split('');
    const i = letters.length < 3 ? letters.length - 1 : chance(0.85) ? between(1, letters.length - 1) : between(0, letters.length - 1);
    const op = r();
    if (op < 0.3) {
      const rowOf = QWERTY.find((q) => q.includes(letters[i]));
      if (rowOf) {
        const j = rowOf.indexOf(letters[i]);
        letters[i] = rowOf[Math.max(0, Math.min(rowOf.length - 1, j + (chance(0.5) ? -1 : 1)))];
        if (letters.join('') !== s) return letters.join('');
      }
      letters[i] = 'AEIOU'[between(0, 4)];
    } else if (op < 0.55 && letters.length > 3) letters.splice(i, 1);
    else if (op < 0.8) letters.splice(i, 0, letters[i]);
    else if (i > 0) [letters[i - 1], letters[i]] = [letters[i], letters[i - 1]];
    else letters.push('E');
    return letters.join('');
  };
  const familyVariant = (s: string): string | null => {
    if (s.startsWith('MAC')) return `MC${s.slice(3)}`;
    if (s.startsWith('MC')) return `MAC${s.slice(2)}`;
    if (s.includes("'")) return chance(0.5) ? s.replace("'", '') : s.replace("'", ' ');
    if (s.endsWith('SKI')) return `${s.slice(0, -1)}Y`;
    if (s.includes('-')) return s.split('-')[chance(0.5) ? 0 : 1];
    return null;
  };
  const givenVariant = (name: string): string | null => {
    const set = spellings.find((v) => v.includes(name));
    if (!set) return null;
    const others = set.filter((v) => v !== name);
    return pickOf(r, others);
  };
  const formalOf = (nick: string): string | null => Object.keys(nicknames).find((k) => nicknames[k].includes(nick)) ?? null;
  const mistypeNumber = (v: string): string => {
    const valid = ons ? isValidNhsNumber : isValidChiNumber;
    for (;;) {
      const i = between(0, 9);
      const typed = chance(0.7)
        ? v.slice(0, i) + ((Number(v[i]) + between(1, 9)) % 10) + v.slice(i + 1)
        : i < 9
          ? v.slice(0, i) + v[i + 1] + v[i] + v.slice(i + 2)
          : v;
      if (typed !== v && !valid(typed)) return typed;
    }
  };
  const currentPostcode = (p: Uk2Person, tags: string[]): string => {
    if (!chance(0.12)) return p.postcode;
    tags.push('moved');
    const district = p.postcode.split(' ')[0];
    const x = r();
    return pop.postcodeIn(x < 0.5 ? district : x < 0.8 ? pop.districtNear(district) : pop.district(false));
  };

  /**
   * What a registration records of person `p`. `trial`: the trial's record of them (a patient's
   * row with no number and no postcode copies it exactly). Tags name each corruption.
   */
  function registration(p: Uk2Person, tags: string[], trial: Patient | null): RegIdentity {
    const number = ons ? p.nhs : p.chi;
    const x = r();
    if (x < 0.02) {
      tags.push('no-id-no-postcode');
      if (trial) return { id: null, dob: p.dob, sex: p.sex, family: trial.family.toUpperCase(), given: trial.given.toUpperCase(), postcode: null };
      return { id: null, dob: p.dob, sex: p.sex, family: p.family, given: p.given.join(' '), postcode: null };
    }
    const q: RegIdentity = { id: number, dob: p.dob, sex: p.sex, family: p.family, given: p.given.join(' '), postcode: currentPostcode(p, tags) };
    if (x < 0.07) {
      q.id = null;
      tags.push('id-missing');
    } else if (x < 0.078) {
      q.id = mistypeNumber(number as string);
      tags.push('id-typo');
    } else if (x < 0.08) {
      q.id = ons ? pop.newNhs() : pop.newChi(p.dob, p.sex, false);
      tags.push('id-other-valid');
    }
    if (q.id !== null && q.id === number) tags.push(...numberTags(p));

    const f = r();
    if (f < 0.02) {
      q.family = typo(q.family);
      tags.push('family-typo');
    } else if (f < 0.035) {
      const v = familyVariant(q.family);
      q.family = v ?? typo(q.family);
      tags.push(v ? 'family-variant' : 'family-typo');
    } else if (p.sex === 'F' && f < 0.055) {
      const husband = pop.origin();
      q.family = pop.surnameFor(pop.surnameBase(husband), husband, 'F');
      tags.push('married-name');
    } else if (p.sex === 'F' && f < 0.06) {
      q.family = `${q.family}-${pop.surnameBase(pop.origin())}`;
      tags.push('family-double');
    }

    const g = r();
    const parts = p.given;
    if (g < 0.05 && parts.length > 1) {
      q.given = parts[0];
      tags.push('middle-dropped');
    } else if (g < 0.07) {
      const nick = nicknames[parts[0]] ? pickOf(r, nicknames[parts[0]]) : formalOf(parts[0]);
      if (nick) {
        q.given = [nick, ...parts.slice(1)].join(' ');
        tags.push('nickname');
      }
    } else if (g < 0.085) {
      const v = givenVariant(parts[0]);
      if (v) {
        q.given = [v, ...parts.slice(1)].join(' ');
        tags.push('given-variant');
      }
    } else if (g < 0.1) {
      q.given = [typo(parts[0]), ...parts.slice(1)].join(' ');
      tags.push('given-typo');
    } else if (g < 0.105) {
      q.given = parts.map((n) => n[0]).join(' ');
      tags.push('given-initials');
    } else if (g < 0.107) {
      q.given = null;
      tags.push('given-missing');
    }

    const d = r();
    const [y, m, dd] = isoOf(p.dob).split('-').map(Number);
    let dob: string | null = isoOf(p.dob);
    if (d < 0.008 && dd <= 12 && dd !== m) {
      dob = realIso(y, dd, m);
      tags.push('dob-swap');
    } else if (d < 0.013) {
      dob = isoOf(p.dob + (chance(0.5) ? -1 : 1));
      tags.push('dob-one-day');
    } else if (d < 0.017) {
      const other = realIso(y + (chance(0.5) ? 1 : 10) * (chance(0.5) ? -1 : 1), m, dd);
      if (other) {
        dob = other;
        tags.push('dob-year');
      }
    } else if (d < 0.022) {
      dob = null;
      tags.push('dob-missing');
    }
    q.dob = dob === null ? null : dayOf(dob);

    const s = r();
    if (s < 0.003) {
      q.sex = null;
      tags.push('sex-missing');
    } else if (s < 0.0045) {
      q.sex = p.sex === 'M' ? 'F' : 'M';
      tags.push('sex-wrong');
    }

    const pc = r();
    if (q.postcode && pc < 0.03) {
      q.postcode = null;
      tags.push('postcode-missing');
    } else if (q.postcode && pc < 0.04) {
      q.postcode = q.postcode.replace(' ', '');
      tags.push('postcode-unspaced');
    }
    return q;
  }

  /** What is particular about a person's own (valid) CHI number: not damage, but tests check it. */
  function numberTags(p: Uk2Person): string[] {
    const t: string[] = [];
    if (p.chiIssuedDob !== null) t.push('chi-dob-corrected');
    if (p.chiModulus10) t.push('chi-mod10');
    return t;
  }

  // --- The rows. Ids per registry; the extract is sorted by issue day at the end.
  let seq = 0;
  const recordId = (kind: Kind, day: number): string => {
    const year = isoOf(day).slice(0, 4);
    return ons ? `${kind}${year}/${pad(++seq, 7)}` : `${year}-${kind}-${pad(between(100, 899), 3)}-${pad(++seq, 6)}`;
  };
  const lag = (): number => {
    const x = r();
    if (!ons) return x < 0.93 ? between(1, 8) : between(9, 120); // Scotland: within 8 days unless the fiscal is involved
    return x < 0.7 ? between(1, 7) : x < 0.92 ? between(8, 60) : between(61, 300); // coroner cases take months
  };
  const rows: RegRow[] = [];
  /** A death registration of `p` on `dod`, with its later amendment or cancellation; false when not registered by the end. */
  const death = (p: Uk2Person, dod: number, base: Owner, trial: Patient | null): boolean => {
    const dor = dod + lag();
    if (dor > END) return false;
    const tags = [...base.tags];
    const who = registration(p, tags, trial);
    const first: RegRow = {
      ...base,
      tags,
      recordId: recordId('D', dor),
      version: 1,
      kind: 'D',
      cancelled: false,
      who,
      dod,
      dor,
      eventDate: null,
      cause: pickOf(r, CAUSES),
      place: pickOf(r, PLACES),
      issued: dor,
    };
    rows.push(first);
    const a = r();
    const later = Math.min(END, dor + between(10, 120));
    if (a < 0.03) {
      const amended: RegRow = { ...first, version: 2, issued: later, tags: [...tags, 'amended'] };
      const k = r();
      if (k < 0.4) amended.dod = dod - between(1, 3);
      else if (k < 0.7 || who.id !== null) amended.cause = pickOf(r, CAUSES);
      else {
        amended.who = { ...who, id: ons ? p.nhs : p.chi };
        amended.tags.push('id-supplied', ...numberTags(p));
      }
      rows.push(amended);
      if (chance(0.1))
        rows.push({
          ...amended,
          version: 3,
          issued: Math.min(END, later + between(5, 60)),
          cause: pickOf(r, CAUSES),
          tags: [...amended.tags, 'amended-twice'],
        });
    } else if (a < 0.037) rows.push({ ...first, version: 2, cancelled: true, issued: later, tags: [...tags, 'cancelled'] });
    return true;
  };
  /** An embarkation, re-entry or no-trace row of patient `trial` (the registry's tracing of the trial's list). */
  const other = (kind: Exclude<Kind, 'D'>, when: number, tag: string, trial: Patient): void => {
    const issued = when + between(5, 40);
    if (issued > END) return;
    const tags = [tag];
    const who = registration(trial.person, tags, trial);
    if (kind === 'N') {
      // Untraced: the registry holds little more than the trial sent.
      if (who.postcode !== null) {
        who.postcode = null;
        tags.push('postcode-missing');
      }
      if (who.id !== null && chance(0.5)) {
        who.id = null;
        tags.splice(
          0,
          tags.length,
          ...tags.filter((t) => t !== 'chi-dob-corrected' && t !== 'chi-mod10' && t !== 'id-typo' && t !== 'id-other-valid'),
          'id-missing',
        );
      }
    }
    rows.push({
      patientId: trial.patientId,
      expected: 'match',
      tags,
      recordId: recordId(kind, issued),
      version: 1,
      kind,
      cancelled: false,
      who,
      dod: null,
      dor: null,
      eventDate: kind === 'N' ? null : when,
      cause: '',
      place: '',
      issued,
    });
  };
  /** A date of death in the extract's span, after `after`; null when there is none. */
  const someDay = (after: number): number | null => (Math.max(START, after) < END - 2 ? between(Math.max(START, after), END - 2) : null);
  /** The death of a look-alike, when it falls in the extract's span. */
  const deathIn = (p: Uk2Person, after: number, tag: string): void => {
    const dod = someDay(after);
    if (dod !== null) death(p, dod, { patientId: null, expected: 'nonmatch', tags: [tag] }, null);
  };

  for (const pt of patients) {
    const p = pt.person;
    // Annual hazard 9% at 70, rising 5% a year of age (a heart-failure trial's population).
    const hazard = 0.09 * Math.exp(0.05 * (pt.age - 70));
    const t = -Math.log(1 - r()) / hazard;
    const dod = Math.floor(pt.randomisedOn + t * 365.25);
    const base: Owner = { patientId: pt.patientId, expected: 'match', tags: [] };
    if (chance(0.001))
      death(
        p,
        pt.randomisedOn - between(1, Math.min(200, pt.randomisedOn - START)),
        { ...base, expected: 'match-review', tags: ['death-before-randomisation'] },
        pt,
      );
    else if (dod <= END) death(p, dod, base, pt);
    else if (chance(0.008) && pt.randomisedOn + 30 < END - 60) {
      const when = between(pt.randomisedOn + 30, END - 60);
      other('E', when, 'embarkation', pt);
      if (chance(0.4)) other('R', Math.min(END - 10, when + between(30, 400)), 're-entry', pt);
    } else if (chance(0.004)) other('N', END - between(10, 200), 'no-trace', pt);

    // Hard negatives: people who look like the patient die and are registered.
    const h = r();
    if (h < 0.007) {
      const sex: Sex = chance(0.5) ? p.sex : p.sex === 'M' ? 'F' : 'M';
      const twin = pop.person(p.dob, { local: true, chiFrom2026: false, correctedShare: 0, sex, origin: p.origin, familyBase: p.familyBase });
      // Parents give twins names of their own: no forename of one is a forename of the other
      // (people who share names are the namesakes and same-named relatives below).
      while (twin.given.some((g) => p.given.includes(g))) twin.given = pop.givenNames(p.origin, sex, Number(isoOf(p.dob).slice(0, 4)));
      if (chance(0.6)) twin.postcode = p.postcode;
      deathIn(twin, START, 'twin');
    } else if (h < 0.019) {
      const k = r();
      const dob = k < 0.15 ? p.dob : k < 0.75 ? dayOf(`${isoOf(p.dob).slice(0, 4)}-01-01`) + between(0, 364) : p.dob + between(-3 * 365, 3 * 365);
      const namesake = pop.person(dob, {
        local: chance(0.4),
        chiFrom2026: false,
        correctedShare: 0.015,
        sex: p.sex,
        origin: p.origin,
        familyBase: p.familyBase,
      });
      namesake.family = p.family;
      namesake.given = [...p.given];
      deathIn(namesake, dob + 365 * 20, dob === p.dob ? 'namesake-same-dob' : 'namesake');
    } else if (h < 0.023) {
      const older = pt.age < 62;
      const dob = p.dob + (older ? -1 : 1) * between(22 * 365, 35 * 365);
      const relative = pop.person(dob, {
        local: true,
        chiFrom2026: false,
        correctedShare: 0.015,
        sex: p.sex,
        origin: p.origin,
        familyBase: p.familyBase,
      });
      relative.family = p.family;
      relative.given = [...p.given];
      if (chance(0.5)) relative.postcode = p.postcode;
      deathIn(relative, dob + 365 * 18, 'same-name-relative');
    } else if (h < 0.038) {
      const sex: Sex = p.sex === 'M' ? 'F' : 'M';
      const spouse = pop.person(p.dob + between(-6 * 365, 6 * 365), {
        local: true,
        chiFrom2026: false,
        correctedShare: 0.015,
        sex,
        origin: p.origin,
        familyBase: p.familyBase,
      });
      if (chance(0.85)) spouse.postcode = p.postcode;
      deathIn(spouse, START, 'spouse');
    }
  }

  // --- Deaths nationally, unrelated to the trial, until the extract has its rows. Ages at
  // death: mostly old (normal, mean 82, sd 9, 40-104), 15% younger (20-75).
  const MOD10_FROM = dayOf('2026-01-01');
  while (rows.length < opts.rows) {
    const dod = someDay(START) as number;
    const age = chance(0.85) ? Math.min(104, Math.max(40, 82 + 9 * normal(r))) : 20 + 55 * r();
    const dob = Math.floor(dod - age * 365.25 - r() * 365);
    const person = pop.person(dob, { local: chance(0.5), chiFrom2026: dod >= MOD10_FROM + 30 && chance(0.08), correctedShare: 0.012 });
    death(person, dod, { patientId: null, expected: 'nonmatch', tags: ['unrelated'] }, null);
  }
  rows.sort((a, b) => a.issued - b.issued || (a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : a.version - b.version));
  rows.length = Math.min(rows.length, opts.rows);

  // --- Cells, malformations, truth.
  const date = (day: number | null): string => (day === null ? '' : ons ? isoOf(day).replace(/-/g, '') : isoOf(day));
  const sexCell = (s: Sex | null): string => (s === null ? (ons ? '9' : '') : ons ? (s === 'M' ? '1' : '2') : s);
  const cells = (w: RegRow): string[] => {
    const p = w.who;
    const c = [
      w.recordId,
      String(w.version),
      w.kind,
      p.id ?? '',
      date(p.dob),
      sexCell(p.sex),
      p.family,
      p.given ?? '',
      p.postcode ?? '',
      date(w.dod),
      date(w.dor),
      w.cause,
    ];
    if (ons) c.push(w.place);
    c.push(date(w.eventDate), w.cancelled ? 'Y' : '');
    return c;
  };
  const COL = { recordId: 0, version: 1, kind: 2, id: 3, dob: 4, sex: 5, dod: 9, dor: 10 };
  /** Makes a row one that cannot be a registration (feeds.md): returns the tag, or null for none that applies. */
  const malform = (w: RegRow, c: string[]): string => {
    const isDeath = w.kind === 'D' && !w.cancelled;
    const kinds = isDeath
      ? ['unknown-kind', 'missing-record-id', 'missing-version', 'bad-version', 'bad-date-of-death', 'death-no-date', 'death-before-birth']
      : ['unknown-kind', 'missing-record-id', 'missing-version', 'bad-version'];
    const k = pickOf(r, kinds);
    switch (k) {
      case 'unknown-kind':
        c[COL.kind] = pickOf(r, ['X', 'B', 'DD', 'M']);
        break;
      case 'missing-record-id':
        c[COL.recordId] = '';
        break;
      case 'missing-version':
        c[COL.version] = '';
        break;
      case 'bad-version':
        c[COL.version] = pickOf(r, ['0', 'v2', '1.5', 'two']);
        break;
      case 'bad-date-of-death': {
        const iso = isoOf(w.dod as number);
        const bad = pickOf(r, [
          `${iso.slice(0, 4)}-02-30`,
          `${iso.slice(0, 4)}-13-${iso.slice(8)}`,
          `${iso.slice(8)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`,
        ]);
        c[COL.dod] = ons && !bad.includes('/') ? bad.replace(/-/g, '') : bad;
        break;
      }
      case 'death-no-date':
        c[COL.dod] = '';
        break;
      case 'death-before-birth':
        c[COL.dob] = date((w.dod as number) + between(30, 20_000));
        break;
      default:
        throw new Error(`unknown malformation ${k}`);
    }
    return k;
  };

  const counts: Record<string, number> = {};
  const truth = ['line,patientId,expected,tags'];
  const extract = [
    ons
      ? 'RECORD_ID,RECORD_VERSION,NOTIFICATION_TYPE,DEC_CONF_NHS_NUMBER,DEC_DATE_OF_BIRTH,DEC_SEX,DEC_SURNAME,DEC_FORENAMES,DEC_POSTCODE,REG_DATE_OF_DEATH,REG_DATE,S_UNDERLYING_COD_ICD10,POD_CODE,EVENT_DATE,CANCELLED_FLAG'
      : 'ENTRY_ID,VERSION,TYPE,CHI,DATE_OF_BIRTH,SEX,SURNAME,FORENAMES,POSTCODE,DATE_OF_DEATH,DATE_OF_REGISTRATION,UNDERLYING_CAUSE,EVENT_DATE,CANCELLED',
  ];
  rows.forEach((w, i) => {
    const c = cells(w);
    const tags = [...w.tags];
    // Scottish numbers: name every disagreement between the CHI and the row's own columns
    // (from the cells as written), so that tests can hold identifiers.ts to them.
    const chi = c[COL.id];
    if (!ons && chi !== '') {
      if (!tags.includes('id-typo')) {
        const dobCell = c[COL.dob];
        if (dobCell !== '' && chi.slice(0, 6) !== ddmmyy(dobCell)) tags.push('chi-dob-mismatch');
        const sexCell9 = c[COL.sex];
        if (sexCell9 !== '' && (Number(chi[8]) % 2 === 1) !== (sexCell9 === 'M')) tags.push('chi-sex-mismatch');
      }
    }
    let expected: Expected = w.expected;
    if (chance(0.003)) {
      tags.push(`malformed:${malform(w, c)}`);
      expected = 'malformed';
    }
    extract.push(c.join(','));
    truth.push(`${i + 2},${w.patientId ?? ''},${expected},${tags.join(' ')}`);
    counts[expected] = (counts[expected] ?? 0) + 1;
  });

  const cohort = ['trialId,patientId,arm,randomisedOn,nhsNumber,chiNumber,dateOfBirth,sex,familyName,givenNames,postcode'];
  for (const pt of patients) {
    const p = pt.person;
    cohort.push(
      [
        'UK2-HF',
        pt.patientId,
        chance(0.5) ? 'usual-care' : 'intervention',
        isoOf(pt.randomisedOn),
        p.nhs ?? '',
        p.chi ?? '',
        isoOf(p.dob),
        p.sex,
        pt.family,
        pt.given,
        pt.postcode,
      ].join(','),
    );
  }
  return { cohort, extract, truth, counts };
}

/** Writes cohort.csv, extract.csv and truth.csv of `buildUk2(opts)` into `outDir`. */
export function generateUk2(opts: Uk2Options & { outDir: string }): {
  cohortPath: string;
  extractPath: string;
  truthPath: string;
  counts: Record<string, number>;
} {
  const data = buildUk2(opts);
  mkdirSync(opts.outDir, { recursive: true });
  const write = (name: string, lines: string[]): string => {
    const path = join(opts.outDir, name);
    const fd = openSync(path, 'w');
    try {
      for (let i = 0; i < lines.length; i += 10_000) writeSync(fd, `${lines.slice(i, i + 10_000).join('\n')}\n`);
    } finally {
      closeSync(fd);
    }
    return path;
  };
  return {
    cohortPath: write('cohort.csv', data.cohort),
    extractPath: write('extract.csv', data.extract),
    truthPath: write('truth.csv', data.truth),
    counts: data.counts,
  };
}

function titleCase(s: string): string {
  return s
    .toLowerCase()
    .replace(/(^|[\s'-])([a-z])/g, (_, a: string, b: string) => a + b.toUpperCase())
    .replace(/\bMc([a-z])/g, (_, b: string) => `Mc${b.toUpperCase()}`);
}

if (require.main === module) {
  const layout = arg('layout', 'ons');
  if (layout !== 'ons' && layout !== 'nrs') throw new Error('--layout must be ons or nrs');
  const s = generateUk2({
    seed: Number(arg('seed', '42')),
    patients: Number(arg('patients', String(uk2Defaults.patients))),
    rows: Number(arg('rows', String(uk2Defaults.rows))),
    layout,
    outDir: arg('out', join(tmpdir(), `trial-followup-uk2-${layout}`)),
  });
  process.stdout.write(`${JSON.stringify(s)}\n`);
}
