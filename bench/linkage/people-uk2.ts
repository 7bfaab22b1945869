// The population of the second linkage generator (generate-uk2.ts): people with names drawn
// from pools-uk2.ts, dates as day numbers, postcodes and the identifiers the registries issue.
// Its own code and pools: nothing here comes from generate.ts or names.ts (see generate-uk2.ts).
import { Rng, modulus10CheckDigit, modulus11CheckDigit } from '@trial/linkage';
import {
  Origin,
  britishGiven,
  decadeStarts,
  inwardLetters,
  originGiven,
  originMix,
  origins,
  postcodeAreasUk2,
  surnamePools,
  surnameTail,
} from './pools-uk2';

export type Layout = 'ons' | 'nrs';
export type Sex = 'M' | 'F';

/** A person as they are, before any record of them is written. */
export interface Uk2Person {
  origin: Origin;
  sex: Sex;
  /** True date of birth, day number (days since 1970-01-01). */
  dob: number;
  /** The surname in its base (male) form: a relative of the other sex takes its own form of it. */
  familyBase: string;
  family: string;
  /** Forenames in order: the first, then middle names. */
  given: string[];
  /** Home postcode when first seen (randomisation, or the last address for a decedent). */
  postcode: string;
  /** England & Wales: the NHS number; null in the Scottish population. */
  nhs: string | null;
  /** Scotland: the CHI number; null in the English and Welsh population. */
  chi: string | null;
  /** CHI only: the date of birth the number was issued with, when the recorded one was corrected since. */
  chiIssuedDob: number | null;
  /** CHI only: issued from 2026, so it carries a Modulus 10 check digit. */
  chiModulus10: boolean;
}

export const DAY_MS = 86_400_000;
export const dayOf = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
export const isoOf = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
export const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `YYYY-MM-DD` if the parts make a real calendar date, else null. */
export function realIso(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1) return null;
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

export const ddmmyy = (iso: string): string => iso.slice(8, 10) + iso.slice(5, 7) + iso.slice(2, 4);

/** Cumulative weights for a weighted pick by binary search. */
function cumulative(weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  return weights.map((w) => (acc += w / total));
}

function pickCum(r: Rng, cum: readonly number[]): number {
  const x = r();
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const zipf = (n: number, s: number): number[] => cumulative(Array.from({ length: n }, (_, k) => 1 / Math.pow(k + 1, s)));

export const pickOf = <T>(r: Rng, a: readonly T[]): T => a[Math.floor(r() * a.length)];

/** A standard normal draw (Box-Muller). */
export function normal(r: Rng): number {
  const u = 1 - r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

const muslimSurnames = new Set(
  'KHAN AHMED HUSSAIN ALI AKHTAR IQBAL MAHMOOD RAHMAN ISLAM UDDIN MIAH CHOUDHURY BHATTI BUTT MALIK RAZA HAQ NAZIR ASHRAF ANWAR'.split(' '),
);
const sikhSurnames = new Set('SINGH SANDHU GILL DHILLON SIDHU BAINS GREWAL'.split(' '));

/** Draws people of one registry's population (England & Wales or Scotland) and issues their numbers. */
export class Uk2Population {
  private readonly originCum: number[];
  private readonly surnameCum: Record<Origin, number[]>;
  private readonly districts: string[];
  private readonly districtCum: number[];
  /** Per area, the index range of its districts in `districts`. */
  private readonly areaRange = new Map<string, [number, number]>();
  private readonly issued = new Set<string>();
  /** Districts around the trial's recruiting sites: most patients live there. */
  readonly siteDistricts: string[] = [];

  constructor(
    private readonly r: Rng,
    readonly layout: Layout,
    sites: number,
  ) {
    this.originCum = cumulative(origins.map((o) => originMix[layout][o]));
    this.surnameCum = Object.fromEntries(origins.map((o) => [o, zipf(surnamePools[o].names.length, surnamePools[o].s)])) as Record<Origin, number[]>;
    this.districts = [];
    const weights: number[] = [];
    const areas = postcodeAreasUk2[layout];
    for (const [area, n, w] of areas) {
      this.areaRange.set(area, [this.districts.length, this.districts.length + n]);
      for (let d = 1; d <= n; d++) {
        this.districts.push(`${area}${d}`);
        weights.push(w / n);
      }
    }
    this.districtCum = cumulative(weights);
    const areaCum = cumulative(areas.map((a) => a[2]));
    const siteAreas = new Set<string>();
    while (siteAreas.size < Math.min(sites, areas.length)) siteAreas.add(areas[pickCum(r, areaCum)][0]);
    for (const a of siteAreas) {
      const [lo, hi] = this.areaRange.get(a) as [number, number];
      this.siteDistricts.push(...this.districts.slice(lo, hi));
    }
  }

  origin(): Origin {
    return origins[pickCum(this.r, this.originCum)];
  }

  /** A surname of `origin` in its base form: from the list by Zipf, or built for the long tail. */
  surnameBase(origin: Origin): string {
    const r = this.r;
    const pool = surnamePools[origin];
    if (r() >= pool.tailShare) return pool.names[pickCum(r, this.surnameCum[origin])];
    const t = surnameTail;
    switch (origin) {
      case 'english':
      case 'welsh':
        return pickOf(r, t.englishHead) + pickOf(r, t.englishFoot);
      case 'scottish':
        return (r() < 0.6 ? 'MAC' : 'MC') + pickOf(r, t.gaelicRoot);
      case 'irish':
        return r() < 0.6 ? `O'${pickOf(r, t.irishRoot)}` : `MC${pickOf(r, t.gaelicRoot)}`;
      case 'southAsian':
        return pickOf(r, t.southAsianHead) + pickOf(r, t.southAsianFoot);
      case 'polish':
        return pickOf(r, t.polishRoot) + pickOf(r, t.polishEnd);
      case 'chinese':
        return pool.names[pickCum(r, this.surnameCum[origin])];
      default: {
        const never: never = origin;
        throw new Error(`unknown origin ${String(never)}`);
      }
    }
  }

  /** The form of a base surname a person of `sex` bears: Polish -SKA for -SKI, KAUR or BEGUM for many women. */
  surnameFor(base: string, origin: Origin, sex: Sex): string {
    if (sex === 'M') return base;
    if (origin === 'polish' && base.endsWith('KI')) return `${base.slice(0, -2)}KA`;
    if (origin === 'southAsian') {
      const x = this.r();
      if (sikhSurnames.has(base) && x < 0.65) return 'KAUR';
      if (muslimSurnames.has(base) && x < 0.3) return x < 0.25 ? 'BEGUM' : 'BIBI';
    }
    return base;
  }

  /** One forename of a person born in `year`. */
  private forename(origin: Origin, sex: Sex, year: number): string {
    const r = this.r;
    const own = originGiven[origin];
    if (own.share > 0 && r() < own.share) return pickOf(r, own[sex]).replace(/_/g, ' ');
    let bucket = 0;
    for (let i = 0; i < decadeStarts.length; i++) if (year >= decadeStarts[i]) bucket = i;
    const list = britishGiven[sex][bucket];
    return list[Math.min(list.length - 1, Math.floor(Math.pow(r(), 1.8) * list.length))];
  }

  /** Forenames: a first name and, for most people of British or Irish origin, one or two middle names. */
  givenNames(origin: Origin, sex: Sex, year: number): string[] {
    const r = this.r;
    const first = this.forename(origin, sex, year);
    const middleShare = origin === 'southAsian' ? 0.25 : origin === 'polish' ? 0.15 : origin === 'chinese' ? 0.1 : 0.6;
    const out = [first];
    if (r() < middleShare) {
      const want = r() < 0.08 ? 2 : 1;
      for (let tries = 0; out.length < want + 1 && tries < 10; tries++) {
        const m = this.forename(origin, sex, year);
        if (!out.includes(m)) out.push(m);
      }
    }
    return out.join(' ').split(' ');
  }

  /** A district: near the trial's sites (`local`) or anywhere, weighted by population. */
  district(local: boolean): string {
    if (local && this.siteDistricts.length) return pickOf(this.r, this.siteDistricts);
    return this.districts[pickCum(this.r, this.districtCum)];
  }

  /** Another district of the same area (a move across town). */
  districtNear(district: string): string {
    const area = district.replace(/\d+$/, '');
    const [lo, hi] = this.areaRange.get(area) ?? [0, this.districts.length];
    return this.districts[lo + Math.floor(this.r() * (hi - lo))];
  }

  postcodeIn(district: string): string {
    const r = this.r;
    const letter = (): string => inwardLetters[Math.floor(r() * inwardLetters.length)];
    return `${district} ${Math.floor(r() * 10)}${letter()}${letter()}`;
  }

  /** A valid NHS number not issued before: first three digits in the England & Wales ranges 400-499 and 600-708. */
  newNhs(): string {
    const r = this.r;
    for (;;) {
      const head = r() < 0.6 ? 400 + Math.floor(r() * 100) : 600 + Math.floor(r() * 109);
      const first9 = `${head}${pad(Math.floor(r() * 1e6), 6)}`;
      const c = modulus11CheckDigit(first9);
      if (c === null || this.issued.has(first9 + c)) continue;
      this.issued.add(first9 + c);
      return first9 + c;
    }
  }

  /**
   * A CHI number not issued before (feeds.md "Identifier checks"): DDMMYY of `issuedDob`, two
   * serial digits, a sex digit odd for men and even for women, then a Modulus 11 check digit, or
   * for numbers issued from 2026 a Modulus 10 one, chosen where the two differ so that the
   * number is valid only under Modulus 10.
   */
  newChi(issuedDob: number, sex: Sex, modulus10: boolean): string {
    const r = this.r;
    const prefix = ddmmyy(isoOf(issuedDob));
    for (;;) {
      const sexDigit = 2 * Math.floor(r() * 5) + (sex === 'M' ? 1 : 0);
      const first9 = `${prefix}${pad(Math.floor(r() * 100))}${sexDigit}`;
      const c11 = modulus11CheckDigit(first9);
      const c = modulus10 ? modulus10CheckDigit(first9) : c11;
      if (c === null || (modulus10 && c === c11)) continue;
      if (this.issued.has(first9 + c)) continue;
      this.issued.add(first9 + c);
      return first9 + c;
    }
  }

  /**
   * A new person born on `dob`. `local`: lives near the trial's sites. `chiFrom2026`: a Scottish
   * number issued from 2026 (Modulus 10). `correctedShare`: chance that the CHI was issued with a
   * date of birth corrected since (so its prefix disagrees with the true one).
   */
  person(
    dob: number,
    opts: { local: boolean; chiFrom2026: boolean; correctedShare: number; sex?: Sex; origin?: Origin; familyBase?: string },
  ): Uk2Person {
    const r = this.r;
    const origin = opts.origin ?? this.origin();
    const sex: Sex = opts.sex ?? (r() < 0.5 ? 'M' : 'F');
    const familyBase = opts.familyBase ?? this.surnameBase(origin);
    const year = Number(isoOf(dob).slice(0, 4));
    const p: Uk2Person = {
      origin,
      sex,
      dob,
      familyBase,
      family: this.surnameFor(familyBase, origin, sex),
      given: this.givenNames(origin, sex, year),
      postcode: this.postcodeIn(this.district(opts.local)),
      nhs: null,
      chi: null,
      chiIssuedDob: null,
      chiModulus10: false,
    };
    this.issueNumber(p, opts.chiFrom2026, opts.correctedShare);
    return p;
  }

  /** Gives `p` its registry's number (NHS in England & Wales, CHI in Scotland). */
  issueNumber(p: Uk2Person, chiFrom2026: boolean, correctedShare: number): void {
    if (this.layout === 'ons') {
      p.nhs = this.newNhs();
      return;
    }
    p.chiModulus10 = chiFrom2026;
    p.chiIssuedDob = this.r() < correctedShare ? this.earlierRecordedDob(p.dob) : null;
    p.chi = this.newChi(p.chiIssuedDob ?? p.dob, p.sex, chiFrom2026);
  }

  /** A date of birth recorded wrongly once (and corrected since): day and month swapped, a day out, or a year digit wrong. */
  earlierRecordedDob(dob: number): number {
    const r = this.r;
    const [y, m, d] = isoOf(dob).split('-').map(Number);
    for (;;) {
      const k = r();
      const iso =
        k < 0.4 ? realIso(y, d, m) : k < 0.7 ? isoOf(dob + (r() < 0.5 ? -1 : 1)) : realIso(y + (r() < 0.5 ? 1 : 10) * (r() < 0.5 ? -1 : 1), m, d);
      if (iso !== null && dayOf(iso) !== dob) return dayOf(iso);
    }
  }
}
