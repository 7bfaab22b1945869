import { Scored, conclude, insertSorted, matchWeight, LinkDecision, DecideOptions } from './decide';
import { Comparison, DobLevel, IdentifierLevel, PostcodeLevel, SexLevel, compareFamilyName, compareGivenNames, fieldLevels, oneEditApart } from './levels';
import { CompiledModel, LinkageModel, compileModel } from './model';
import { PreparedPatient, PreparedRecord } from './person';

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
const ID_EXACT = 0, ID_NEAR = 1, ID_OTHER = 2, ID_ABSENT = 3;
const DOB_EXACT = 0, DOB_SWAP = 1, DOB_ONE_DAY = 2, DOB_SAME_YEAR = 3, DOB_OTHER = 4, DOB_ABSENT = 5;
const SEX_SAME = 0, SEX_DIFFER = 1, SEX_ABSENT = 2;
const PC_FULL = 0, PC_SECTOR = 1, PC_DISTRICT = 2, PC_OTHER = 3, PC_ABSENT = 4;

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

/**
 * compareNumbers of levels.ts on interned and packed numbers; NEED_STRINGS when only the
 * strings can tell (two digits differ: a transposition?, or a number that is not 10 digits).
 */
const NEED_STRINGS = -1;
function numberLevel(aId: number, bId: number, aHi: number, aLo: number, bHi: number, bLo: number): number {
  if (aId === ABSENT || bId === ABSENT) return ID_ABSENT;
  if (aId === bId) return ID_EXACT;
  if (aHi >= 0 && bHi >= 0) {
    const n = nonZeroNibbles(aHi ^ bHi) + nonZeroNibbles(aLo ^ bLo);
    if (n === 1) return ID_NEAR;
    if (n > 2) return ID_OTHER;
  }
  return NEED_STRINGS;
}

function stringsLevel(a: string | null, b: string | null): number {
  return oneEditApart(a as string, b as string) ? ID_NEAR : ID_OTHER;
}

class Interner {
  private readonly ids = new Map<string, number>();
  intern(s: string | null): number {
    if (s === null) return ABSENT;
    let id = this.ids.get(s);
    if (id === undefined) this.ids.set(s, (id = this.ids.size));
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
    identifier: arr('identifier'), dateOfBirth: arr('dateOfBirth'), sex: arr('sex'), postcode: arr('postcode'),
    givenExact: cm.weights.givenNames.exact,
    familyNotExact: notExact('familyName'), givenNotExact: notExact('givenNames'),
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
  private ymd = new Int32Array(0);
  private dobDays = new Float64Array(0);
  private dobY = new Int32Array(0);
  private dobM = new Int32Array(0);
  private dobD = new Int32Array(0);
  private sex = new Uint8Array(0);
  private nhsId = new Int32Array(0);
  private nhsHi = new Int32Array(0);
  private nhsLo = new Int32Array(0);
  private nhsValid = new Uint8Array(0);
  private chiId = new Int32Array(0);
  private chiHi = new Int32Array(0);
  private chiLo = new Int32Array(0);
  private chiValid = new Uint8Array(0);
  private pc = new Int32Array(0);
  private sector = new Int32Array(0);
  private district = new Int32Array(0);
  private family = new Int32Array(0);
  private given = new Int32Array(0);
  /** Query epoch per slot: a slot marked with the current epoch was already collected. */
  private mark = new Int32Array(0);
  private epoch = 0;
  // One interner per kind of value; ids only ever grow (bounded by the distinct values seen).
  private readonly numbers = new Interner();
  private readonly postcodes = new Interner();
  private readonly names = new Interner();

  // Scratch space of decideSlots, reused across calls.
  private sSlot = new Int32Array(64);
  private sBound = new Float64Array(64);
  private sLevels = new Int32Array(64 * 4);
  private sDet = new Uint8Array(64);
  private sOrder = new Int32Array(64);

  get size(): number {
    return this.count;
  }

  private grow(): void {
    const cap = Math.max(1024, this.cap * 2);
    const g = <T extends Int32Array | Float64Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a);
      return b;
    };
    this.ymd = g(this.ymd); this.dobDays = g(this.dobDays); this.dobY = g(this.dobY); this.dobM = g(this.dobM); this.dobD = g(this.dobD);
    this.sex = g(this.sex);
    this.nhsId = g(this.nhsId); this.nhsHi = g(this.nhsHi); this.nhsLo = g(this.nhsLo); this.nhsValid = g(this.nhsValid);
    this.chiId = g(this.chiId); this.chiHi = g(this.chiHi); this.chiLo = g(this.chiLo); this.chiValid = g(this.chiValid);
    this.pc = g(this.pc); this.sector = g(this.sector); this.district = g(this.district);
    this.family = g(this.family); this.given = g(this.given); this.mark = g(this.mark);
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
    this.ymd[i] = p.dob === null ? ABSENT : p.dobY * 10000 + p.dobM * 100 + p.dobD;
    this.dobDays[i] = p.dobDays;
    this.dobY[i] = p.dobY;
    this.dobM[i] = p.dobM;
    this.dobD[i] = p.dobD;
    this.sex[i] = sexCode(p.sex);
    this.nhsId[i] = this.numbers.intern(p.nhs);
    [this.nhsHi[i], this.nhsLo[i]] = packDigits(p.nhs);
    this.nhsValid[i] = p.nhsValid ? 1 : 0;
    this.chiId[i] = this.numbers.intern(p.chi);
    [this.chiHi[i], this.chiLo[i]] = packDigits(p.chi);
    this.chiValid[i] = p.chiValid ? 1 : 0;
    this.pc[i] = this.postcodes.intern(p.postcode);
    this.sector[i] = this.postcodes.intern(p.sector);
    this.district[i] = this.postcodes.intern(p.district);
    this.family[i] = this.names.intern(p.familyKey);
    this.given[i] = this.names.intern(p.given);
    this.mark[i] = 0;
    return i;
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
    if (this.mark[slot] === epoch) return false;
    this.mark[slot] = epoch;
    return true;
  }

  private ensureScratch(n: number): void {
    if (n <= this.sSlot.length) return;
    const cap = Math.max(n, this.sSlot.length * 2);
    this.sSlot = new Int32Array(cap);
    this.sBound = new Float64Array(cap);
    this.sLevels = new Int32Array(cap * 4);
    this.sDet = new Uint8Array(cap);
    this.sOrder = new Int32Array(cap);
  }

  /**
   * `decide(record, slots.map(objs), model, options)`, computed faster with the same result:
   * 1. for every candidate, the cheap levels (identifier, date of birth, sex, postcode) from the
   *    columns, whether it is a deterministic match, and an upper bound of its match weight (the
   *    name levels' best possible weights: exact when the interned names are equal, else the
   *    best non-exact level; 0 when a name is missing);
   * 2. candidates in decreasing bound; once the best `keep` are scored, a non-deterministic
   *    candidate whose bound is below the keep-th weight cannot enter them and is skipped
   *    without comparing names. The kept lists, and so the decision, are those of `decide`.
   */
  decideSlots(record: PreparedRecord, slots: ArrayLike<number>, n: number, model: LinkageModel, options: DecideOptions = {}): LinkDecision {
    const cm = compileModel(model);
    const fw = weightsOf(cm);
    const maxCandidates = options.maxCandidates ?? 3;
    const keep = Math.max(2, maxCandidates);
    this.ensureScratch(n);
    const sSlot = this.sSlot, sBound = this.sBound, sLevels = this.sLevels, sDet = this.sDet, order = this.sOrder;

    // The record's values, interned the same way (UNKNOWN: no patient has it).
    const rNhsId = this.numbers.lookup(record.nhs);
    const [rNhsHi, rNhsLo] = packDigits(record.nhs);
    const rChiId = this.numbers.lookup(record.chi);
    const [rChiHi, rChiLo] = packDigits(record.chi);
    const rYmd = record.dob === null ? ABSENT : record.dobY * 10000 + record.dobM * 100 + record.dobD;
    const rDays = record.dobDays, rY = record.dobY, rM = record.dobM, rD = record.dobD;
    const rSex = sexCode(record.sex);
    const rPc = this.postcodes.lookup(record.postcode);
    const rSector = this.postcodes.lookup(record.sector);
    const rDistrict = this.postcodes.lookup(record.district);
    const rFamily = this.names.lookup(record.familyKey);
    const rGiven = this.names.lookup(record.given);
    let familyExact = cm.weights.familyName.exact;
    if (record.familyKey !== null) {
      const tf = cm.familyExactTf.get(record.familyKey);
      if (tf !== undefined) familyExact = tf;
    }
    const wId = fw.identifier, wDob = fw.dateOfBirth, wSex = fw.sex, wPc = fw.postcode;
    const prior = cm.priorWeight;

    const ymd = this.ymd, dobDays = this.dobDays, dobY = this.dobY, dobM = this.dobM, dobD = this.dobD, sex = this.sex;
    const nhsId = this.nhsId, nhsHi = this.nhsHi, nhsLo = this.nhsLo, nhsValid = this.nhsValid;
    const chiId = this.chiId, chiHi = this.chiHi, chiLo = this.chiLo, chiValid = this.chiValid;
    const pc = this.pc, sector = this.sector, district = this.district, family = this.family, given = this.given;
    const objs = this.objs;

    for (let k = 0; k < n; k++) {
      const i = slots[k];
      // identifier: the better of NHS and CHI.
      let nl = numberLevel(rNhsId, nhsId[i], rNhsHi, rNhsLo, nhsHi[i], nhsLo[i]);
      if (nl === NEED_STRINGS) nl = stringsLevel(record.nhs, (objs[i] as PreparedPatient).nhs);
      let cl = numberLevel(rChiId, chiId[i], rChiHi, rChiLo, chiHi[i], chiLo[i]);
      if (cl === NEED_STRINGS) cl = stringsLevel(record.chi, (objs[i] as PreparedPatient).chi);
      const idL = nl <= cl ? nl : cl;
      // date of birth
      let dobL: number;
      const py = ymd[i];
      if (rYmd === ABSENT || py === ABSENT) dobL = DOB_ABSENT;
      else if (rYmd === py) dobL = DOB_EXACT;
      else if (rY === dobY[i] && rD === dobM[i] && rM === dobD[i]) dobL = DOB_SWAP;
      else if (Math.abs(rDays - dobDays[i]) === 1) dobL = DOB_ONE_DAY;
      else dobL = rY === dobY[i] ? DOB_SAME_YEAR : DOB_OTHER;
      // sex
      const ps = sex[i];
      const sexL = rSex === 0 || ps === 0 ? SEX_ABSENT : rSex === ps ? SEX_SAME : SEX_DIFFER;
      // postcode
      let pcL: number;
      if (rPc === ABSENT || pc[i] === ABSENT) pcL = PC_ABSENT;
      else if (rPc === pc[i]) pcL = PC_FULL;
      else if (rSector === sector[i]) pcL = PC_SECTOR;
      else pcL = rDistrict === district[i] ? PC_DISTRICT : PC_OTHER;
      // deterministic rule (isDeterministicMatch on these levels)
      const sameFamily = rFamily >= 0 && rFamily === family[i];
      const sameNumber = (rNhsId >= 0 && rNhsId === nhsId[i] && record.nhsValid && nhsValid[i] === 1) || (rChiId >= 0 && rChiId === chiId[i] && record.chiValid && chiValid[i] === 1);
      const det = sameNumber && (dobL === DOB_EXACT || (sexL === SEX_SAME && sameFamily));
      // upper bound of the match weight
      const famB = rFamily === ABSENT || family[i] === ABSENT ? 0 : sameFamily ? familyExact : fw.familyNotExact;
      const givB = rGiven === ABSENT || given[i] === ABSENT ? 0 : rGiven === given[i] ? fw.givenExact : fw.givenNotExact;
      sSlot[k] = i;
      sLevels[4 * k] = idL;
      sLevels[4 * k + 1] = dobL;
      sLevels[4 * k + 2] = sexL;
      sLevels[4 * k + 3] = pcL;
      sDet[k] = det ? 1 : 0;
      sBound[k] = prior + wId[idL] + wDob[dobL] + wSex[sexL] + famB + givB + wPc[pcL];
      // insertion into `order` by decreasing bound
      let j = k;
      const b = sBound[k];
      while (j > 0 && sBound[order[j - 1]] < b) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = k;
    }

    const scored: Scored[] = [];
    const deterministic: Scored[] = [];
    const idLevels = fieldLevels.identifier, dobLevels = fieldLevels.dateOfBirth, sexLevels = fieldLevels.sex, pcLevels = fieldLevels.postcode;
    for (let o = 0; o < n; o++) {
      const k = order[o];
      const det = sDet[k] === 1;
      if (!det && scored.length === keep && sBound[k] + 1e-9 < scored[keep - 1].weight) continue;
      const p = objs[sSlot[k]] as PreparedPatient;
      const c: Comparison = {
        identifier: idLevels[sLevels[4 * k]] as IdentifierLevel,
        dateOfBirth: dobLevels[sLevels[4 * k + 1]] as DobLevel,
        sex: sexLevels[sLevels[4 * k + 2]] as SexLevel,
        familyName: compareFamilyName(record, p),
        givenNames: compareGivenNames(record, p),
        postcode: pcLevels[sLevels[4 * k + 3]] as PostcodeLevel,
      };
      const weight = matchWeight(c, cm, record.familyKey);
      if (!det && scored.length === keep) {
        const last = scored[keep - 1];
        if (last.weight > weight || (last.weight === weight && !(p.patientId < last.patientId))) continue;
      }
      const s: Scored = { patientId: p.patientId, weight, comparison: c, deterministic: det, patient: p };
      if (det && !deterministic.some((d) => d.patientId === s.patientId)) deterministic.push(s);
      if (!scored.some((d) => d.patientId === s.patientId)) insertSorted(scored, s, keep);
    }
    return conclude(record, scored, deterministic, model, cm, maxCandidates);
  }
}

// Level codes are positions in fieldLevels: checked once at load, so a reordering there fails loudly.
const expectCodes: [keyof typeof fieldLevels, string, number][] = [
  ['identifier', 'exact', ID_EXACT], ['identifier', 'near', ID_NEAR], ['identifier', 'other', ID_OTHER], ['identifier', 'absent', ID_ABSENT],
  ['dateOfBirth', 'exact', DOB_EXACT], ['dateOfBirth', 'swap', DOB_SWAP], ['dateOfBirth', 'one-day', DOB_ONE_DAY],
  ['dateOfBirth', 'same-year', DOB_SAME_YEAR], ['dateOfBirth', 'other', DOB_OTHER], ['dateOfBirth', 'absent', DOB_ABSENT],
  ['sex', 'same', SEX_SAME], ['sex', 'differ', SEX_DIFFER], ['sex', 'absent', SEX_ABSENT],
  ['postcode', 'full', PC_FULL], ['postcode', 'sector', PC_SECTOR], ['postcode', 'district', PC_DISTRICT], ['postcode', 'other', PC_OTHER], ['postcode', 'absent', PC_ABSENT],
];
for (const [f, l, code] of expectCodes) {
  if ((fieldLevels[f] as readonly string[]).indexOf(l) !== code) throw new Error(`linkage table: level ${f}.${l} is not at ${code}`);
}
