import { ConcludedRecord, LinkDecision, Scored, byEvidenceThenId, conclude } from './conclude';
import { Comparison, FieldName, fieldLevels, fieldNames } from './levels';
import { CompiledModel, LinkageModel } from './model';
import { PreparedPatient, PreparedRecord } from './person';

/**
 * Decisions kept from one pass over an extract until λ is known (`followup link` estimates λ
 * from the whole extract, prior.ts, but prints its rows in file order).
 *
 * Why this is exact: a ranking (the kept candidates, best first, and the deterministic
 * matches) does not depend on λ: evidence excludes the prior and λ shifts every candidate's
 * weight by the same amount. Only `conclude` reads λ, so the ranking is taken (DecideOptions
 * `ranked`) from a decision under a λ at least as large as any that can come out (prior.ts
 * `largestEstimate`; the noEvidence pruning of decideSlots stays valid for every smaller λ), kept,
 * and concluded at the end by the same `conclude` under the final λ. For `maxCandidates: 0`
 * `conclude` reads only the best two candidates and the best two deterministic matches, so that
 * is all a row keeps.
 *
 * Memory: a few typed arrays (about 40 bytes a row); patients are references to the objects
 * the index already holds; the deterministic matches, found for a few per cent of rows, as
 * they are. Not for decisions that take `ownersElsewhere` (one trial's cohort only).
 */
export class DeferredDecisions {
  private n = 0;
  private cap = 0;
  private best: (PreparedPatient | undefined)[] = [];
  private second: (PreparedPatient | undefined)[] = [];
  private bestEvidence: Float64Array = new Float64Array(0);
  private secondEvidence: Float64Array = new Float64Array(0);
  private bestLevels: Int32Array = new Int32Array(0);
  private secondLevels: Int32Array = new Int32Array(0);
  /** bit 0: best is a deterministic match; bit 1: second is; bits 2 and 3: best, second hold another number (Scored.otherNumber). */
  private flags: Uint8Array = new Uint8Array(0);
  private kinds: Uint8Array = new Uint8Array(0);
  /** Date of death as Y*10000 + M*100 + D; NO_DATE when none. */
  private deaths: Int32Array = new Int32Array(0);
  private readonly otherDeaths = new Map<number, string>();
  private readonly deterministic = new Map<number, Scored[]>();

  get size(): number {
    return this.n;
  }

  /** Keeps a record's ranking (from `ranked`); returns its index. */
  add(record: PreparedRecord, scored: readonly Scored[], deterministic: readonly Scored[]): number {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    const [b, s] = [scored[0], scored[1]];
    this.best.push(b?.patient);
    this.second.push(s?.patient);
    this.bestEvidence[i] = b ? b.evidence : 0;
    this.secondEvidence[i] = s ? s.evidence : 0;
    this.bestLevels[i] = b ? encodeLevels(b.comparison) : 0;
    this.secondLevels[i] = s ? encodeLevels(s.comparison) : 0;
    this.flags[i] = (b?.deterministic ? 1 : 0) | (s?.deterministic ? 2 : 0) | (b?.otherNumber ? 4 : 0) | (s?.otherNumber ? 8 : 0);
    this.kinds[i] = kindCodes.get(record.kind) as number;
    const death = record.dateOfDeath;
    if (death === null) this.deaths[i] = NO_DATE;
    else if (ISO_DATE.test(death)) this.deaths[i] = Number(death.slice(0, 4)) * 10000 + Number(death.slice(5, 7)) * 100 + Number(death.slice(8, 10));
    else {
      this.deaths[i] = OTHER_DATE;
      this.otherDeaths.set(i, death);
    }
    if (deterministic.length > 0) this.deterministic.set(i, [...deterministic].sort(byEvidenceThenId).slice(0, 2));
    return i;
  }

  /** Whether row i had at least one deterministic match (prior.ts counts these). */
  hasDeterministic(i: number): boolean {
    return this.deterministic.has(i);
  }

  /** Row i concluded under `cm` (the final λ): `decide(record, candidates, model, { maxCandidates: 0, prior })`. */
  conclude(i: number, model: LinkageModel, cm: CompiledModel): LinkDecision {
    const scored: Scored[] = [];
    const b = this.best[i];
    const flags = this.flags[i];
    if (b !== undefined) scored.push(scoredOf(b, this.bestEvidence[i], this.bestLevels[i], (flags & 1) !== 0, (flags & 4) !== 0));
    const s = this.second[i];
    if (s !== undefined) scored.push(scoredOf(s, this.secondEvidence[i], this.secondLevels[i], (flags & 2) !== 0, (flags & 8) !== 0));
    const dets = this.deterministic.get(i) ?? [];
    // conclude reads the record's family key only for the term frequency of an exact family
    // name, and then it is the key of the patient it agrees with.
    let familyKey: string | null = null;
    for (const x of [...dets, ...scored]) {
      if (x.comparison.familyName === 'exact') {
        familyKey = x.patient.familyKey;
        break;
      }
    }
    const d = this.deaths[i];
    const dateOfDeath = d === NO_DATE ? null : d === OTHER_DATE ? (this.otherDeaths.get(i) as string) : isoDate(d);
    const record: ConcludedRecord = { kind: kinds[this.kinds[i]], dateOfDeath, familyKey, nhs: null, nhsValid: false, chi: null, chiValid: false };
    return conclude(record, scored, dets, model, cm, 0);
  }

  private grow(): void {
    const cap = Math.max(1024, this.cap * 2);
    const f64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    const u8 = (a: Uint8Array): Uint8Array => {
      const b = new Uint8Array(cap);
      b.set(a);
      return b;
    };
    this.bestEvidence = f64(this.bestEvidence);
    this.secondEvidence = f64(this.secondEvidence);
    this.bestLevels = i32(this.bestLevels);
    this.secondLevels = i32(this.secondLevels);
    this.deaths = i32(this.deaths);
    this.flags = u8(this.flags);
    this.kinds = u8(this.kinds);
    this.cap = cap;
  }
}

const NO_DATE = -1;
const OTHER_DATE = -2;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const isoDate = (ymd: number): string =>
  `${String(Math.floor(ymd / 10000)).padStart(4, '0')}-${String(Math.floor(ymd / 100) % 100).padStart(2, '0')}-${String(ymd % 100).padStart(2, '0')}`;

const kinds: PreparedRecord['kind'][] = ['death', 'death-cancelled', 'embarkation', 're-entry', 'no-trace'];
const kindCodes = new Map(kinds.map((k, i) => [k, i]));

// A comparison as 3 bits a field (level index in fieldLevels), fields in fieldNames order; the
// decoded vectors are shared (conclude only reads them).
const decoded = new Map<number, Comparison>();

function encodeLevels(c: Comparison): number {
  let code = 0;
  for (let f = 0; f < fieldNames.length; f++) {
    const name: FieldName = fieldNames[f];
    code |= (fieldLevels[name] as readonly string[]).indexOf(c[name]) << (3 * f);
  }
  return code;
}

function decodeLevels(code: number): Comparison {
  let c = decoded.get(code);
  if (c === undefined) {
    const v: Record<string, string> = {};
    for (let f = 0; f < fieldNames.length; f++) v[fieldNames[f]] = fieldLevels[fieldNames[f]][(code >>> (3 * f)) & 7];
    c = v as unknown as Comparison;
    decoded.set(code, c);
  }
  return c;
}

function scoredOf(patient: PreparedPatient, evidence: number, levels: number, deterministic: boolean, otherNumber: boolean): Scored {
  return { patientId: patient.patientId, evidence, comparison: decodeLevels(levels), deterministic, otherNumber, patient };
}

for (const f of fieldNames) if (fieldLevels[f].length > 8) throw new Error(`deferred decisions: ${f} has more levels than 3 bits hold`);
