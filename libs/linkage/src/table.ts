import { DecideOptions, LinkDecision, Scored, conclude, deterministicRule, evidenceWeight, holdsOtherNumber, insertSorted } from './conclude';
import {
  Comparison,
  DobLevel,
  IdentifierLevel,
  PostcodeLevel,
  SexLevel,
  compareFamilyName,
  compareGivenNames,
  fieldLevels,
  oneEditApart,
} from './levels';
import { CompiledModel, LinkageModel, compileModel } from './model';
import { Prepared, PreparedPatient, PreparedRecord } from './person';

/**
 * Prepared patients stored column-wise (struct of arrays) for the hot loop of linkage.
 *
 * Why: a record is compared with ~30 blocked candidates, and reading each candidate's fields
 * from 100,000 scattered objects costs a cache miss per field. Here the fields every candidate
 * needs (date of birth, sex, identifiers, postcode parts, name ids) sit in typed arrays indexed
 * by a slot number, strings interned to integers. The name comparators (Jaro-Winkler) still run
 * on the PreparedPatient objects, but only for the few candidates that could still be among the
 * best two after the cheap fields (see `decideSlots`).
 *
 * Every value is copied from the PreparedPatient (`preparePatient`), so the levels computed here
 * are exactly those of levels.ts.
 */

const ABSENT = -1;
/** A record-side string no patient has: never equal to an interned id. */
const UNKNOWN = -2;

// Level codes: the index in fieldLevels[field].
const ID_EXACT = 0,
  ID_NEAR = 1,
  ID_OTHER = 2,
  ID_ABSENT = 3;
const DOB_EXACT = 0,
  DOB_SWAP = 1,
  DOB_ONE_DAY = 2,
  DOB_SAME_YEAR = 3,
  DOB_OTHER_YEAR = 4,
  DOB_OTHER = 5,
  DOB_ABSENT = 6;
const SEX_SAME = 0,
  SEX_DIFFER = 1,
  SEX_ABSENT = 2;
const PC_FULL = 0,
  PC_SECTOR = 1,
  PC_DISTRICT = 2,
  PC_OTHER = 3,
  PC_ABSENT = 4;

// Row layout: int32 offsets within a slot's row.
const STRIDE = 16;
const F_YMD = 0; // Y*10000 + M*100 + D of the date of birth; ABSENT when missing
const F_DAYS = 1; // dobDays (whole days since 1970)
const F_YEAR = 2;
const F_SEX_FLAGS = 3; // sex code (0 none, 1 M, 2 F) | FAMILY_MULTI
// Numbers and postcodes as codes (numberCode, postcodeCode...), so that a record's are computed
// from its strings, not looked up in a map of 100,000 patients' values (a few cache misses each).
const F_NHS_HI = 5,
  F_NHS_LO = 6;
const F_CHI_HI = 8,
  F_CHI_LO = 9;
const F_PC = 10,
  F_PC_IN = 4,
  F_SECTOR = 11,
  F_DISTRICT = 12;
const F_FAMILY = 13,
  F_GIVEN = 14;
// (slot 7 is free)
const F_MARK = 15;
const SEX_MASK = 3,
  FAMILY_MULTI = 16;

/** A date's fields as one integer: equal exactly when the `YYYY-MM-DD` strings are. */
function ymdOf(y: number, m: number, d: number): number {
  return y * 10000 + m * 100 + d;
}

/** Ten decimal digits packed 4 bits each, five per int; -1 when the string is not 10 digits. */
function packHalf(s: string, from: number): number {
  let v = 0;
  for (let i = from; i < from + 5; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = (v << 4) | d;
  }
  return v;
}

function packDigits(s: string | null): [number, number] {
  if (s === null || s.length !== 10) return [-1, -1];
  const hi = packHalf(s, 0);
  const lo = packHalf(s, 5);
  return hi < 0 || lo < 0 ? [-1, -1] : [hi, lo];
}

/** How many of the five nibbles of x are non-zero. */
function nonZeroNibbles(x: number): number {
  let m = (x | (x >>> 1) | (x >>> 2) | (x >>> 3)) & 0x11111;
  m = m + (m >>> 4);
  m = m + (m >>> 8);
  m = m + (m >>> 16);
  return m & 0xf;
}

/** An interned id as a code: below ABSENT and UNKNOWN, so never equal to them nor to a computed code (>= 0). */
const internedCode = (id: number): number => -3 - id;

/**
 * A number as the pair of codes compareNumbers is computed from: ten digits packed (hi, lo >= 0),
 * equal exactly when the strings are; any other string interned (hi < -2, lo 0), so that two of
 * them are equal exactly when the strings are; [ABSENT, 0] when missing. A record's number that
 * is not ten digits and that no patient has is [UNKNOWN, 0].
 */
function numberCode(s: string | null, ids: Interner, add: boolean): [number, number] {
  if (s === null) return [ABSENT, 0];
  const [hi, lo] = packDigits(s);
  if (hi >= 0) return [hi, lo];
  const id = add ? ids.intern(s) : ids.lookup(s);
  return [id === UNKNOWN ? UNKNOWN : internedCode(id), 0];
}

/**
 * compareNumbers of levels.ts on number codes; NEED_STRINGS when only the strings can tell (two
 * digits differ: a transposition?, or a number that is not 10 digits).
 */
const NEED_STRINGS = -1;
function numberLevel(aHi: number, aLo: number, bHi: number, bLo: number): number {
  if (aHi === ABSENT || bHi === ABSENT) return ID_ABSENT;
  if (aHi >= 0 && bHi >= 0) {
    if (aHi === bHi && aLo === bLo) return ID_EXACT;
    const n = nonZeroNibbles(aHi ^ bHi) + nonZeroNibbles(aLo ^ bLo);
    if (n === 1) return ID_NEAR;
    if (n > 2) return ID_OTHER;
    return NEED_STRINGS;
  }
  // Interned (not ten digits) on one side at least: equal codes are equal strings; a packed and an interned code never are.
  return aHi === bHi ? ID_EXACT : NEED_STRINGS;
}

/** A postcode letter or digit in base 37 (A-Z 1..26, 0-9 27..36); 0 for any other character. */
function postcodeDigit(c: number): number {
  if (c >= 65 && c <= 90) return c - 64;
  if (c >= 48 && c <= 57) return c - 21;
  return 0;
}

/**
 * The first `end` characters of s, an outward code (2 to 4 letters and digits), in base 37; -1 if not one. No
 * digit is 0, so lengths cannot collide.
 */
function outwardCode(s: string, end: number): number {
  if (end < 2 || end > 4) return -1;
  let v = 0;
  for (let i = 0; i < end; i++) {
    const d = postcodeDigit(s.charCodeAt(i));
    if (d === 0) return -1;
    v = v * 37 + d;
  }
  return v;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLetter = (c: number): boolean => c >= 65 && c <= 90;

/** A district (`OUT`) or sector (`OUT D`, postcodeParts' shapes) as a code >= 0; -1 when not of that shape. */
function districtCode(s: string): number {
  return outwardCode(s, s.length);
}
function sectorCode(s: string): number {
  const n = s.length;
  if (n < 4 || s.charCodeAt(n - 2) !== 32 || !isDigit(s.charCodeAt(n - 1))) return -1;
  const out = outwardCode(s, n - 2);
  return out < 0 ? -1 : out * 10 + (s.charCodeAt(n - 1) - 48);
}

/**
 * A full postcode (`OUT DLL`) as two codes, the sector's and the inward letters' (0..675), equal
 * exactly when the strings are; [-1, 0] when not of that shape. (One int would need 34 bits.)
 */
function fullCode(s: string): [number, number] {
  const n = s.length;
  if (n < 6 || s.charCodeAt(n - 4) !== 32) return [-1, 0];
  const a = s.charCodeAt(n - 2),
    b = s.charCodeAt(n - 1);
  if (!isLetter(a) || !isLetter(b)) return [-1, 0];
  const sector = sectorCode(s.slice(0, n - 2));
  return sector < 0 ? [-1, 0] : [sector, (a - 65) * 26 + (b - 65)];
}

/**
 * A postcode part as its code, or its interned code when not of postcodeParts' shape (no patient's
 * and no record's is, as prepared; kept exact for any other string): equal exactly when the
 * strings are. ABSENT when missing; UNKNOWN for a record's odd string that no patient has.
 */
function partCode(s: string | null, code: number, ids: Interner, add: boolean): number {
  if (s === null) return ABSENT;
  if (code >= 0) return code;
  const id = add ? ids.intern(s) : ids.lookup(s);
  return id === UNKNOWN ? UNKNOWN : internedCode(id);
}

/** The three postcode columns' values: full (two ints), sector, district. */
function postcodeCodes(p: Prepared, ids: Interner, add: boolean): [number, number, number, number] {
  let full = ABSENT,
    inward = 0;
  if (p.postcode !== null) {
    const [f, i] = fullCode(p.postcode);
    full = partCode(p.postcode, f, ids, add);
    inward = f >= 0 ? i : 0;
  }
  const sector = partCode(p.sector, p.sector === null ? -1 : sectorCode(p.sector), ids, add);
  const district = partCode(p.district, p.district === null ? -1 : districtCode(p.district), ids, add);
  return [full, inward, sector, district];
}

function stringsLevel(a: string | null, b: string | null): number {
  return oneEditApart(a as string, b as string) ? ID_NEAR : ID_OTHER;
}

// Name features, per interned name (family key or given names), for a cheap upper bound of
// Jaro-Winkler: NF ints a name.
const NF = 6;
const N_LEN = 0,
  N_ONCE = 1,
  N_TWICE = 2,
  N_EXTRA = 3,
  N_PREFIX = 4,
  N_FIRSTS = 5;
/** Below this bound a pair is certainly under the lowest Jaro-Winkler level (0.88); the margin absorbs rounding. */
const JW_LOW = 0.88 - 1e-7;

function symbol(c: number): number {
  // A-Z → 0..25, anything else (the space between given names) → 26.
  return c >= 65 && c <= 90 ? c - 65 : 26;
}

/**
 * Writes a name's features at `out[at..]`: length; the symbols occurring at least once and at
 * least twice (bit masks); occurrences beyond the second; the first four symbols packed 5 bits
 * each (1-based, 0 past the end); the first letters of its space-separated tokens (bit mask).
 */
function nameFeatures(s: string, out: Int32Array, at: number): void {
  let once = 0,
    twice = 0,
    extra = 0,
    prefix = 0,
    firsts = 0;
  const counts = symbolCounts;
  counts.fill(0);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const y = symbol(c);
    const n = ++counts[y];
    if (n === 1) once |= 1 << y;
    else if (n === 2) twice |= 1 << y;
    else extra++;
    if (i < 4) prefix |= (y + 1) << (5 * (3 - i));
    if (y !== 26 && (i === 0 || s.charCodeAt(i - 1) === 32)) firsts |= 1 << y;
  }
  out[at + N_LEN] = s.length;
  out[at + N_ONCE] = once;
  out[at + N_TWICE] = twice;
  out[at + N_EXTRA] = extra;
  out[at + N_PREFIX] = prefix;
  out[at + N_FIRSTS] = firsts;
}
const symbolCounts = new Int32Array(27);

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * An upper bound of jaroWinkler(a, b) from the two names' features: the matching characters m
 * are at most the common characters counted with multiplicity (no window, no order), so Jaro is
 * at most (m/|a| + m/|b| + 1)/3; Winkler's boost is increasing in Jaro and uses the real common
 * prefix (at most 4).
 */
function jwUpperBound2(fa: Int32Array, a: number, fb: Int32Array, b: number): number {
  const la = fa[a + N_LEN],
    lb = fb[b + N_LEN];
  let m = popcount(fa[a + N_ONCE] & fb[b + N_ONCE]) + popcount(fa[a + N_TWICE] & fb[b + N_TWICE]);
  const ea = fa[a + N_EXTRA],
    eb = fb[b + N_EXTRA];
  m += ea < eb ? ea : eb;
  const shortest = la < lb ? la : lb;
  if (m > shortest) m = shortest;
  if (m === 0) return 0;
  const j = (m / la + m / lb + 1) / 3;
  const pa = fa[a + N_PREFIX],
    pb = fb[b + N_PREFIX];
  const max = shortest < 4 ? shortest : 4;
  let prefix = 0;
  while (prefix < max && ((pa >>> (5 * (3 - prefix))) & 31) === ((pb >>> (5 * (3 - prefix))) & 31)) prefix++;
  return j + prefix * 0.1 * (1 - j);
}

class Interner {
  private readonly ids = new Map<string, number>();
  intern(s: string | null, added?: (s: string, id: number) => void): number {
    if (s === null) return ABSENT;
    let id = this.ids.get(s);
    if (id === undefined) {
      this.ids.set(s, (id = this.ids.size));
      if (added) added(s, id);
    }
    return id;
  }
  lookup(s: string | null): number {
    if (s === null) return ABSENT;
    return this.ids.get(s) ?? UNKNOWN;
  }
}

/** Per-model level weights as typed arrays (levels in fieldLevels order), computed once. */
interface FastWeights {
  identifier: Float64Array;
  dateOfBirth: Float64Array;
  sex: Float64Array;
  postcode: Float64Array;
  givenExact: number;
  /** The name weights when Jaro-Winkler is certainly below 0.88: other, or the better of partial and other. */
  familyOther: number;
  familyPartialOrOther: number;
  givenOther: number;
  givenPartialOrOther: number;
  /** The largest weight of a non-exact, non-absent name level: the bound when names differ. */
  familyNotExact: number;
  givenNotExact: number;
}

const fastWeights = new WeakMap<CompiledModel, FastWeights>();

function weightsOf(cm: CompiledModel): FastWeights {
  const cached = fastWeights.get(cm);
  if (cached) return cached;
  const arr = (f: keyof typeof fieldLevels): Float64Array => Float64Array.from(fieldLevels[f].map((l) => cm.weights[f][l]));
  const notExact = (f: 'familyName' | 'givenNames'): number =>
    Math.max(...fieldLevels[f].filter((l) => l !== 'exact' && l !== 'absent').map((l) => cm.weights[f][l]));
  const w: FastWeights = {
    identifier: arr('identifier'),
    dateOfBirth: arr('dateOfBirth'),
    sex: arr('sex'),
    postcode: arr('postcode'),
    givenExact: cm.weights.givenNames.exact,
    familyOther: cm.weights.familyName.other,
    familyPartialOrOther: Math.max(cm.weights.familyName.partial, cm.weights.familyName.other),
    givenOther: cm.weights.givenNames.other,
    givenPartialOrOther: Math.max(cm.weights.givenNames.partial, cm.weights.givenNames.other),
    familyNotExact: notExact('familyName'),
    givenNotExact: notExact('givenNames'),
  };
  fastWeights.set(cm, w);
  return w;
}

function sexCode(s: 'M' | 'F' | null): number {
  return s === 'M' ? 1 : s === 'F' ? 2 : 0;
}

/** The slot-indexed columns. */
export class PatientTable {
  private cap = 0;
  private top = 0;
  private readonly free: number[] = [];
  private count = 0;
  readonly objs: (PreparedPatient | null)[] = [];
  /**
   * One 64-byte row of int32 per slot (array of structs in one typed array): a candidate's
   * cheap fields are one cache line, not one line per field.
   */
  private rows: Int32Array;
  private epoch = 0;
  // One interner per kind of value; ids only ever grow (bounded by the distinct values seen).
  private readonly numbers = new Interner();
  private readonly postcodes = new Interner();
  private readonly names = new Interner();
  /** Features of each interned name (NF ints a name id), then the record's two names. */
  private nameF: Int32Array;
  private readonly addName = (name: string, id: number): void => {
    if ((id + 3) * NF > this.nameF.length) {
      const bigger = new Int32Array(this.nameF.length * 2);
      bigger.set(this.nameF);
      this.nameF = bigger;
    }
    nameFeatures(name, this.nameF, id * NF);
  };
  /** The record's family and given names' features. */
  private readonly recordF = new Int32Array(2 * NF);

  // Scratch space of decideSlots, reused across calls.
  private sSlot: Int32Array;
  private sBound: Float64Array;
  private sLevels: Int32Array;
  private sDet: Uint8Array;
  private sJw: Uint8Array;
  private sDone: Uint8Array;

  /** `capacity`: the patients expected (the table grows past it). */
  constructor(capacity = 1024) {
    this.cap = Math.max(4, capacity);
    this.rows = new Int32Array(this.cap * STRIDE);
    this.nameF = new Int32Array(NF * (2 * this.cap + 3));
    const scratch = Math.min(64, this.cap);
    this.sSlot = new Int32Array(scratch);
    this.sBound = new Float64Array(scratch);
    this.sLevels = new Int32Array(scratch * 4);
    this.sDet = new Uint8Array(scratch);
    this.sJw = new Uint8Array(scratch);
    this.sDone = new Uint8Array(scratch);
  }

  get size(): number {
    return this.count;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const rows = new Int32Array(cap * STRIDE);
    rows.set(this.rows);
    this.rows = rows;
    this.cap = cap;
  }

  /** Stores a prepared patient; returns its slot. */
  add(p: PreparedPatient): number {
    let i: number;
    if (this.free.length > 0) i = this.free.pop() as number;
    else {
      if (this.top === this.cap) this.grow();
      i = this.top++;
    }
    this.count++;
    this.objs[i] = p;
    const o = i * STRIDE;
    const rows = this.rows;
    const [nhsHi, nhsLo] = numberCode(p.nhs, this.numbers, true);
    const [chiHi, chiLo] = numberCode(p.chi, this.numbers, true);
    const [pc, pcIn, sector, district] = postcodeCodes(p, this.postcodes, true);
    rows[o + F_YMD] = p.dob === null ? ABSENT : ymdOf(p.dobY, p.dobM, p.dobD);
    rows[o + F_DAYS] = p.dobDays;
    rows[o + F_YEAR] = p.dobY;
    rows[o + F_SEX_FLAGS] = sexCode(p.sex) | (p.familyTokens.length > 1 ? FAMILY_MULTI : 0);
    rows[o + F_NHS_HI] = nhsHi;
    rows[o + F_NHS_LO] = nhsLo;
    rows[o + 7] = 0;
    rows[o + F_CHI_HI] = chiHi;
    rows[o + F_CHI_LO] = chiLo;
    rows[o + F_PC] = pc;
    rows[o + F_PC_IN] = pcIn;
    rows[o + F_SECTOR] = sector;
    rows[o + F_DISTRICT] = district;
    rows[o + F_FAMILY] = this.names.intern(p.familyKey, this.addName);
    rows[o + F_GIVEN] = this.names.intern(p.given, this.addName);
    rows[o + F_MARK] = 0;
    return i;
  }

  /** The live slots ordered by postcode sector (code order; none last), then date of birth, then slot. */
  bySectorThenBirth(): number[] {
    const key = new Float64Array(this.top);
    const live: number[] = [];
    for (let i = 0; i < this.top; i++) {
      if (this.objs[i] === null || this.objs[i] === undefined) continue;
      live.push(i);
      const o = i * STRIDE;
      const sector = this.rows[o + F_SECTOR];
      // Codes are below 2^25 and dates below 10^8: the pair fits a double exactly. Interned
      // (odd) sectors and none go after every coded one.
      key[i] = (sector >= 0 ? sector : 2 ** 25) * 1e8 + (this.rows[o + F_YMD] >= 0 ? this.rows[o + F_YMD] : 0);
    }
    return live.sort((a, b) => key[a] - key[b] || a - b);
  }

  /**
   * Moves the live patients to slots 0..n-1 in the given order (`order[k]`: the old slot that
   * becomes slot k; every live slot exactly once). Returns the new slot of each old one (-1 for
   * none). Nothing a decision computes depends on slot numbers; only where rows sit in memory.
   */
  relayout(order: readonly number[]): Int32Array {
    if (order.length !== this.count) throw new Error(`relayout: ${order.length} slots given for ${this.count} patients`);
    const newOf = new Int32Array(this.top).fill(-1);
    const rows = new Int32Array(this.cap * STRIDE);
    const objs: (PreparedPatient | null)[] = new Array(order.length);
    for (let k = 0; k < order.length; k++) {
      const old = order[k];
      if (this.objs[old] === null || this.objs[old] === undefined || newOf[old] !== -1)
        throw new Error(`relayout: slot ${old} is not a live slot given once`);
      newOf[old] = k;
      rows.set(this.rows.subarray(old * STRIDE, old * STRIDE + STRIDE), k * STRIDE);
      objs[k] = this.objs[old];
    }
    this.rows = rows;
    this.objs.length = 0;
    for (let k = 0; k < objs.length; k++) this.objs.push(objs[k]);
    this.top = order.length;
    this.free.length = 0;
    return newOf;
  }

  remove(slot: number): void {
    if (this.objs[slot] === null || this.objs[slot] === undefined) return;
    this.objs[slot] = null;
    this.free.push(slot);
    this.count--;
  }

  /** Starts a candidate collection: returns the epoch to mark slots with. */
  nextEpoch(): number {
    return ++this.epoch;
  }

  /** Marks a slot for this epoch; false if it was already marked (a duplicate). */
  claim(slot: number, epoch: number): boolean {
    const at = slot * STRIDE + F_MARK;
    if (this.rows[at] === epoch) return false;
    this.rows[at] = epoch;
    return true;
  }

  private ensureScratch(n: number): void {
    if (n <= this.sSlot.length) return;
    const cap = Math.max(n, this.sSlot.length * 2);
    this.sSlot = new Int32Array(cap);
    this.sBound = new Float64Array(cap);
    this.sLevels = new Int32Array(cap * 4);
    this.sDet = new Uint8Array(cap);
    this.sJw = new Uint8Array(cap);
    this.sDone = new Uint8Array(cap);
  }

  /**
   * `decide(record, slots.map(objs), model, options)`: the one scoring path (decide.ts puts its
   * candidates in a table of their own to run it). Full scoring of every candidate, with the same
   * result, computed faster:
   * 1. for every candidate, the cheap levels (identifier, date of birth, sex, postcode) from the
   *    columns, whether it is a deterministic match, and an upper bound of its evidence (the
   *    name levels' best possible weights: exact when the interned names are equal, else the
   *    best non-exact level; 0 when a name is missing);
   * 2. candidates in decreasing bound; once the best `keep` are scored, a non-deterministic
   *    candidate whose bound is below the keep-th evidence cannot enter them and is skipped
   *    without comparing names. The kept lists, and so the decision, are those of full scoring.
   *    With `maxCandidates: 0` (no evidence list) a candidate is also skipped when it cannot
   *    be the best and the runner-up cannot change the decision (the best is below the link
   *    threshold under this λ, or the candidate is more than closeMargin below it): same
   *    decision, same patient and weight, fewer name comparisons. Under a smaller λ the best is
   *    further below the link threshold, so what was skipped stays irrelevant (`ranked`).
   * 3. `conclude` (conclude.ts) on the kept lists.
   */
  decideSlots(record: PreparedRecord, slots: ArrayLike<number>, n: number, model: LinkageModel, options: DecideOptions = {}): LinkDecision {
    const cm = compileModel(model, options.prior);
    const fw = weightsOf(cm);
    const maxCandidates = options.maxCandidates ?? 3;
    const keep = Math.max(2, maxCandidates);
    this.ensureScratch(n);
    const sSlot = this.sSlot,
      sBound = this.sBound,
      sLevels = this.sLevels,
      sDet = this.sDet,
      sJw = this.sJw,
      done = this.sDone;

    // The record's values, interned the same way (UNKNOWN: no patient has it).
    const [rNhsHi, rNhsLo] = numberCode(record.nhs, this.numbers, false);
    const [rChiHi, rChiLo] = numberCode(record.chi, this.numbers, false);
    const rYmd = record.dob === null ? ABSENT : ymdOf(record.dobY, record.dobM, record.dobD);
    // swap (same year, day and month exchanged) is the patient's ymd equal to this one.
    const rSwapped = record.dob === null ? ABSENT : ymdOf(record.dobY, record.dobD, record.dobM);
    const rDays = record.dobDays,
      rY = record.dobY;
    const rSex = sexCode(record.sex);
    const [rPc, rPcIn, rSector, rDistrict] = postcodeCodes(record, this.postcodes, false);
    const rFamily = this.names.lookup(record.familyKey);
    const rGiven = this.names.lookup(record.given);
    // The record's name features, compared with the patients' in one array (record's at the end).
    const nameF = this.nameF;
    const rec = this.recordF;
    if (record.familyKey !== null) nameFeatures(record.familyKey, rec, 0);
    if (record.given !== null) nameFeatures(record.given, rec, NF);
    const rFamilyMulti = record.familyTokens.length > 1;
    let familyExact = cm.weights.familyName.exact;
    if (record.familyKey !== null) {
      const tf = cm.familyExactTf.get(record.familyKey);
      if (tf !== undefined) familyExact = tf;
    }
    const wId = fw.identifier,
      wDob = fw.dateOfBirth,
      wSex = fw.sex,
      wPc = fw.postcode;

    const rows = this.rows;
    const objs = this.objs;

    for (let k = 0; k < n; k++) {
      const i = slots[k];
      const o = i * STRIDE;
      // identifier: the better of NHS and CHI.
      let nl = numberLevel(rNhsHi, rNhsLo, rows[o + F_NHS_HI], rows[o + F_NHS_LO]);
      if (nl === NEED_STRINGS) nl = stringsLevel(record.nhs, (objs[i] as PreparedPatient).nhs);
      let cl = numberLevel(rChiHi, rChiLo, rows[o + F_CHI_HI], rows[o + F_CHI_LO]);
      if (cl === NEED_STRINGS) cl = stringsLevel(record.chi, (objs[i] as PreparedPatient).chi);
      const idL = nl <= cl ? nl : cl;
      // date of birth
      let dobL: number;
      const py = rows[o + F_YMD];
      if (rYmd === ABSENT || py === ABSENT) dobL = DOB_ABSENT;
      else if (rYmd === py) dobL = DOB_EXACT;
      else if (rSwapped === py) dobL = DOB_SWAP;
      else if (Math.abs(rDays - rows[o + F_DAYS]) === 1) dobL = DOB_ONE_DAY;
      else if (rY === rows[o + F_YEAR]) dobL = DOB_SAME_YEAR;
      else dobL = rYmd % 10000 === py % 10000 ? DOB_OTHER_YEAR : DOB_OTHER;
      // A date of birth the record took from its CHI (levels.ts impliedDobLevel).
      if (record.dobFromChi && dobL !== DOB_ABSENT) dobL = cl === ID_EXACT || cl === ID_NEAR ? DOB_ABSENT : dobL === DOB_EXACT ? DOB_ONE_DAY : dobL;
      // sex
      const sf = rows[o + F_SEX_FLAGS];
      const ps = sf & SEX_MASK;
      const sexL = rSex === 0 || ps === 0 ? SEX_ABSENT : rSex === ps ? SEX_SAME : SEX_DIFFER;
      // postcode
      let pcL: number;
      const pPc = rows[o + F_PC];
      if (rPc === ABSENT || pPc === ABSENT) pcL = PC_ABSENT;
      else if (rPc === pPc && rPcIn === rows[o + F_PC_IN]) pcL = PC_FULL;
      else if (rSector === rows[o + F_SECTOR]) pcL = PC_SECTOR;
      else pcL = rDistrict === rows[o + F_DISTRICT] ? PC_DISTRICT : PC_OTHER;
      // The deterministic rule (conclude.ts) on these levels; it needs an equal number, so the
      // patient object is read only for the rare candidate whose identifier level is exact.
      const pFamily = rows[o + F_FAMILY];
      const pGiven = rows[o + F_GIVEN];
      const sameFamily = rFamily >= 0 && rFamily === pFamily;
      const det = idL === ID_EXACT && deterministicRule(record, objs[i] as PreparedPatient, dobL === DOB_EXACT, sexL === SEX_SAME, sameFamily);
      // upper bound of the evidence
      // (the name levels: exact exactly when the interned names are equal; the Jaro-Winkler
      // levels only when the bound reaches 0.88; partial only with a multi-part family name, or
      // given names with a token initial in common.)
      // sJw: which names may reach Jaro-Winkler 0.88 (bit 0 family, bit 1 given), so that scoring
      // computes Jaro-Winkler only for those: below the bound the level is partial or other.
      let jw = 3;
      let famB: number;
      if (rFamily === ABSENT || pFamily === ABSENT) famB = 0;
      else if (sameFamily) famB = familyExact;
      else if (jwUpperBound2(rec, 0, nameF, pFamily * NF) >= JW_LOW) famB = fw.familyNotExact;
      else {
        famB = rFamilyMulti || (sf & FAMILY_MULTI) !== 0 ? fw.familyPartialOrOther : fw.familyOther;
        jw &= ~1;
      }
      let givB: number;
      if (rGiven === ABSENT || pGiven === ABSENT) givB = 0;
      else if (rGiven === pGiven) givB = fw.givenExact;
      else if (jwUpperBound2(rec, NF, nameF, pGiven * NF) >= JW_LOW) givB = fw.givenNotExact;
      else {
        givB = (rec[NF + N_FIRSTS] & nameF[pGiven * NF + N_FIRSTS]) !== 0 ? fw.givenPartialOrOther : fw.givenOther;
        jw &= ~2;
      }
      sJw[k] = jw;
      sSlot[k] = i;
      sLevels[4 * k] = idL;
      sLevels[4 * k + 1] = dobL;
      sLevels[4 * k + 2] = sexL;
      sLevels[4 * k + 3] = pcL;
      sDet[k] = det ? 1 : 0;
      sBound[k] = wId[idL] + wDob[dobL] + wSex[sexL] + famB + givB + wPc[pcL];
      done[k] = 0;
    }

    const scored: Scored[] = [];
    const deterministic: Scored[] = [];
    // With no candidates asked for as evidence, the runner-up is needed only as far as the
    // decision uses it, so fewer candidates need their names compared.
    const noEvidence = maxCandidates === 0;
    const t = model.thresholds;
    const pw = cm.priorWeight;
    const idLevels = fieldLevels.identifier,
      dobLevels = fieldLevels.dateOfBirth,
      sexLevels = fieldLevels.sex,
      pcLevels = fieldLevels.postcode;
    // Candidates in decreasing bound (the first of equal bounds first), each picked by a scan
    // rather than all sorted: the two skips below are monotone in the bound (the kept evidence
    // only grows), so once one candidate is skipped by them every later one is too, and only
    // deterministic matches (always scored) remain. A record has ~36 candidates, and ~3 scored.
    let boundSkipped = false;
    for (;;) {
      let k = -1;
      for (let j = 0; j < n; j++) {
        if (done[j] === 1 || (boundSkipped && sDet[j] === 0)) continue;
        if (k < 0 || sBound[j] > sBound[k]) k = j;
      }
      if (k < 0) break;
      done[k] = 1;
      const det = sDet[k] === 1;
      if (!det) {
        const b = sBound[k] + 1e-9;
        if (scored.length === keep && b < scored[keep - 1].evidence) {
          boundSkipped = true;
          continue;
        }
        if (noEvidence && scored.length > 0) {
          // Candidates come in decreasing bound: once one cannot reach the best, the best is
          // final. The runner-up then only matters if the best links (close-candidates), and
          // only whether it is within closeMargin of it. (The weight as `conclude` computes it.)
          const best = scored[0].evidence;
          if (b < best && (best + pw < t.link || b < best - t.closeMargin)) {
            boundSkipped = true;
            continue;
          }
        }
      }
      const p = objs[sSlot[k]] as PreparedPatient;
      const c: Comparison = {
        identifier: idLevels[sLevels[4 * k]] as IdentifierLevel,
        dateOfBirth: dobLevels[sLevels[4 * k + 1]] as DobLevel,
        sex: sexLevels[sLevels[4 * k + 2]] as SexLevel,
        familyName: compareFamilyName(record, p, (sJw[k] & 1) !== 0),
        givenNames: compareGivenNames(record, p, (sJw[k] & 2) !== 0),
        postcode: pcLevels[sLevels[4 * k + 3]] as PostcodeLevel,
      };
      const evidence = evidenceWeight(c, cm, record.familyKey);
      if (!det && scored.length === keep) {
        const last = scored[keep - 1];
        if (last.evidence > evidence || (last.evidence === evidence && !(p.patientId < last.patientId))) continue;
      }
      const s: Scored = { patientId: p.patientId, evidence, comparison: c, deterministic: det, otherNumber: holdsOtherNumber(record, p), patient: p };
      if (det && !deterministic.some((d) => d.patientId === s.patientId)) deterministic.push(s);
      if (!scored.some((d) => d.patientId === s.patientId)) insertSorted(scored, s, keep);
    }
    if (options.ranked) {
      const taken = options.ranked(scored, deterministic);
      if (taken) return taken;
    }
    return conclude(record, scored, deterministic, model, cm, maxCandidates, options.ownersElsewhere);
  }
}

// Level codes are positions in fieldLevels: checked once at load, so a reordering there fails loudly.
const expectCodes: [keyof typeof fieldLevels, string, number][] = [
  ['identifier', 'exact', ID_EXACT],
  ['identifier', 'near', ID_NEAR],
  ['identifier', 'other', ID_OTHER],
  ['identifier', 'absent', ID_ABSENT],
  ['dateOfBirth', 'exact', DOB_EXACT],
  ['dateOfBirth', 'swap', DOB_SWAP],
  ['dateOfBirth', 'one-day', DOB_ONE_DAY],
  ['dateOfBirth', 'same-year', DOB_SAME_YEAR],
  ['dateOfBirth', 'other-year', DOB_OTHER_YEAR],
  ['dateOfBirth', 'other', DOB_OTHER],
  ['dateOfBirth', 'absent', DOB_ABSENT],
  ['sex', 'same', SEX_SAME],
  ['sex', 'differ', SEX_DIFFER],
  ['sex', 'absent', SEX_ABSENT],
  ['postcode', 'full', PC_FULL],
  ['postcode', 'sector', PC_SECTOR],
  ['postcode', 'district', PC_DISTRICT],
  ['postcode', 'other', PC_OTHER],
  ['postcode', 'absent', PC_ABSENT],
];
for (const [f, l, code] of expectCodes) {
  if ((fieldLevels[f] as readonly string[]).indexOf(l) !== code) throw new Error(`linkage table: level ${f}.${l} is not at ${code}`);
}
