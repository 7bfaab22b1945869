import { CodedError } from '@trial/contracts';
import { createHash } from 'node:crypto';
import { blockingKeys } from './blocking';
import { priorModel } from './default-model';
import { EmResult, PatternCounts, SessionResult, estimateUByRandomSampling, familyNameFrequencies, trainModel } from './em';
import { Comparison, FieldName, compare, fieldLevels, fieldNames } from './levels';
import { LinkageModel, Thresholds, parseModel, serialiseModel } from './model';
import { PatientIdentity, Prepared, RecordFacts, preparePatient, prepareRecord } from './person';
import { Rng, randomInt, seededRng } from './rng';

/**
 * Training a linkage model from a cohort and a registry extract (what `followup train` runs):
 * 1. the patients are kept, prepared, under the same blocking keys the linkage uses
 *    (`blockingKeys`);
 * 2. each valid record (or a seeded sample of them: `pairFraction`) is compared with every
 *    patient it shares a key with (all of them: no pruning, unlike `decide`) and the comparison
 *    vector counted; only the counts are kept (at most 12,960 patterns), so an extract of any
 *    length trains in the memory of its cohort;
 * 3. a seeded reservoir of records is kept for u by random sampling;
 * 4. `trainModel`: u by random sampling, m by EM sessions over the blocked patterns with u
 *    fixed, λ by EM over all of them, u cleared of the matches among the random pairs and the
 *    estimates made again; family-name term frequencies of the patients.
 * Deterministic: the same files in the same order, seed and options give the same model and
 * version.
 */

/** Levels per field, in fieldNames order: a pattern's code is its levels' mixed-radix number. */
const radices = fieldNames.map((f) => fieldLevels[f].length);
export const patternSpace = radices.reduce((a, b) => a * b, 1);

export function patternCode(c: Comparison): number {
  let code = 0;
  for (let i = 0; i < fieldNames.length; i++) {
    const f = fieldNames[i];
    code = code * radices[i] + (fieldLevels[f] as readonly string[]).indexOf(c[f]);
  }
  return code;
}

export function patternOfCode(code: number): Comparison {
  const out = {} as Record<FieldName, string>;
  for (let i = fieldNames.length - 1; i >= 0; i--) {
    const f = fieldNames[i];
    out[f] = fieldLevels[f][code % radices[i]];
    code = Math.floor(code / radices[i]);
  }
  return out as unknown as Comparison;
}

export interface CollectorOptions {
  /** Seeds the reservoir of records kept for u by random sampling (and nothing else). */
  seed: number;
  /**
   * Records kept for u by random sampling: a uniform reservoir sample of the valid records
   * (Vitter's algorithm R). Default 50,000 (~1.5 KB of heap each); random pairs are drawn from
   * these and all patients.
   */
  sampleRecords?: number;
  /**
   * The share of records whose blocked pairs are compared and counted (a seeded Bernoulli
   * sample; default 1, all). Comparing every blocked pair is the slow part (~36 per record); a
   * quarter of a million-row extract still holds ~5,000 matches, plenty for m.
   */
  pairFraction?: number;
}

/** Counts of what a collector has seen. */
export interface CollectorCounts {
  patients: number;
  /** Cohort rows left out because their patientId was already seen (the first is kept). */
  duplicatePatients: number;
  records: number;
  /** Records whose blocked pairs were counted (all of them unless pairFraction < 1). */
  pairRecords: number;
  blockedPairs: number;
  /** Counted records with no blocked candidate. */
  recordsWithoutCandidates: number;
}

/** Accumulates the patients, then the records; see the module comment. */
export class TrainingCollector {
  private readonly patients: Prepared[] = [];
  private readonly ids = new Set<string>();
  private readonly byKey = new Map<string, number[]>();
  private seen = new Int32Array(0);
  private epoch = 0;
  private readonly counts = new Float64Array(patternSpace);
  private readonly reservoir: Prepared[] = [];
  private readonly reservoirSize: number;
  private readonly rng: Rng;
  private readonly pairRng: Rng;
  private readonly pairFraction: number;
  readonly stats: CollectorCounts = { patients: 0, duplicatePatients: 0, records: 0, pairRecords: 0, blockedPairs: 0, recordsWithoutCandidates: 0 };

  constructor(options: CollectorOptions) {
    this.rng = seededRng(options.seed);
    this.reservoirSize = options.sampleRecords ?? 50_000;
    if (!Number.isInteger(this.reservoirSize) || this.reservoirSize < 1) throw new RangeError('sampleRecords must be a positive integer');
    this.pairFraction = options.pairFraction ?? 1;
    if (!(this.pairFraction > 0 && this.pairFraction <= 1)) throw new RangeError('pairFraction must be in (0, 1]');
    // A stream of its own, so the reservoir is the same whatever the fraction.
    this.pairRng = seededRng(options.seed ^ 0x5bd1e995);
  }

  /** Adds a patient. All patients come before the first record (pairs are counted per record). */
  addPatient(patient: PatientIdentity): void {
    if (this.stats.records > 0) throw new Error('TrainingCollector: patients must all be added before the first record');
    if (this.ids.has(patient.patientId)) {
      this.stats.duplicatePatients++;
      return;
    }
    this.ids.add(patient.patientId);
    const slot = this.patients.length;
    const p = preparePatient(patient);
    this.patients.push(p);
    for (const k of blockingKeys(p)) {
      const list = this.byKey.get(k);
      if (list) list.push(slot);
      else this.byKey.set(k, [slot]);
    }
    this.stats.patients++;
  }

  /** Adds a valid registry record: counts its blocked pairs' patterns and may keep it for sampling. */
  addRecord(record: RecordFacts): void {
    if (this.seen.length < this.patients.length) this.seen = new Int32Array(this.patients.length);
    this.stats.records++;
    // Prepared only when used: most records of a long extract are neither counted nor kept.
    let r: Prepared | null = null;
    if (this.pairFraction === 1 || this.pairRng() < this.pairFraction) {
      r = prepareRecord(record);
      const epoch = ++this.epoch;
      let n = 0;
      for (const k of blockingKeys(r)) {
        const list = this.byKey.get(k);
        if (!list) continue;
        for (const slot of list) {
          if (this.seen[slot] === epoch) continue;
          this.seen[slot] = epoch;
          this.counts[patternCode(compare(r, this.patients[slot]))]++;
          n++;
        }
      }
      this.stats.pairRecords++;
      this.stats.blockedPairs += n;
      if (n === 0) this.stats.recordsWithoutCandidates++;
    }
    // Reservoir sampling: every record ends up kept with the same probability.
    if (this.reservoir.length < this.reservoirSize) this.reservoir.push(r ?? prepareRecord(record));
    else {
      const j = randomInt(this.rng, this.stats.records);
      if (j < this.reservoirSize) this.reservoir[j] = r ?? prepareRecord(record);
    }
  }

  /** The blocked pairs' comparison patterns with their counts (non-zero ones, in code order). */
  patterns(): PatternCounts {
    const out: PatternCounts = new Map();
    for (let code = 0; code < patternSpace; code++) {
      const count = this.counts[code];
      if (count > 0) {
        const comparison = patternOfCode(code);
        out.set(fieldNames.map((f) => comparison[f]).join('|'), { comparison, count });
      }
    }
    return out;
  }

  get sampledRecords(): readonly Prepared[] {
    return this.reservoir;
  }

  get preparedPatients(): readonly Prepared[] {
    return this.patients;
  }
}

export interface TrainOptions {
  /** The version to store the model under; default `fs-em-<hash of its content>`. */
  version?: string;
  /** Random (record, patient) pairs for u. */
  samples: number;
  /** Seeds the random pairs. */
  seed: number;
  thresholds: Thresholds;
  /** Starting values and the centres of EM's priors; default `priorModel`. */
  start?: LinkageModel;
  maxIterations?: number;
}

export interface TrainReport {
  model: LinkageModel;
  /** The final EM (λ among all pairs, with m and u fixed). */
  em: EmResult;
  sessions: SessionResult[];
  counts: CollectorCounts;
  allPairs: number;
  patterns: number;
  samples: number;
  sampledRecords: number;
}

/** The data cannot train a model (no patients, no records, no pair to learn from). One of the CodedError family. */
export class TrainingError extends CodedError<'untrainable'> {
  constructor(message: string) {
    super('untrainable', message);
  }
}

/** Trains a model from what the collector saw. */
export function trainFrom(collector: TrainingCollector, options: TrainOptions): TrainReport {
  const counts = { ...collector.stats };
  if (counts.patients === 0) throw new TrainingError('no patients to train on');
  if (counts.records === 0) throw new TrainingError('no valid registry records to train on');
  if (counts.blockedPairs === 0) throw new TrainingError('no record shares a blocking key with any patient: nothing to estimate m from');
  if (!Number.isInteger(options.samples) || options.samples < 1) throw new TrainingError('samples must be a positive integer');
  const patients = collector.preparedPatients;
  const u = estimateUByRandomSampling(collector.sampledRecords, patients, options.samples, seededRng(options.seed));
  const blocked = collector.patterns();
  // The pairs EM sees are those of the counted records: λ is a share of their pairs.
  const allPairs = counts.pairRecords * counts.patients;
  const { model, em, sessions } = trainModel({
    version: 'unversioned',
    start: options.start ?? priorModel,
    blocked,
    blockedPairs: counts.blockedPairs,
    allPairs,
    u,
    uSamples: options.samples,
    termFrequencies: familyNameFrequencies(patients),
    thresholds: options.thresholds,
    maxIterations: options.maxIterations,
  });
  const versioned: LinkageModel = { ...model, version: options.version ?? contentVersion(model) };
  const checked = parseModel(serialiseModel(versioned));
  if (!checked.ok) throw new TrainingError(`the trained model is invalid: ${checked.reason}`);
  return {
    model: checked.model,
    em,
    sessions,
    counts,
    allPairs,
    patterns: blocked.size,
    samples: options.samples,
    sampledRecords: collector.sampledRecords.length,
  };
}

/**
 * `fs-em-` and the first 12 hex digits of the SHA-256 of the model's JSON without its version:
 * the same parameters and thresholds always get the same version, and different ones (in
 * practice) never share one.
 */
export function contentVersion(model: LinkageModel): string {
  const { version: _ignored, ...content } = model;
  return `fs-em-${createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 12)}`;
}
