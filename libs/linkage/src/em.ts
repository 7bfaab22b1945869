import { Comparison, FieldName, compare, fieldLevels, fieldNames } from './levels';
import { FieldParams, LinkageModel, Thresholds } from './model';
import { Prepared } from './person';
import { Rng, randomInt } from './rng';

/** Comparison vectors with their counts: EM works on distinct patterns, not on pairs (as fastLink does). */
export type PatternCounts = Map<string, { comparison: Comparison; count: number }>;

export function patternKey(c: Comparison): string {
  return fieldNames.map((f) => c[f]).join('|');
}

export function countPatterns(comparisons: Iterable<Comparison>): PatternCounts {
  const out: PatternCounts = new Map();
  for (const c of comparisons) {
    const k = patternKey(c);
    const e = out.get(k);
    if (e) e.count++;
    else out.set(k, { comparison: c, count: 1 });
  }
  return out;
}

function levelsOf(f: FieldName): string[] {
  return fieldLevels[f].filter((l) => l !== 'absent');
}

/**
 * u by random sampling: compares `samples` random (record, patient) pairs, nearly all of them
 * different people, and takes each level's frequency among pairs where the field is present,
 * with add-one smoothing so no u is 0. Assumes matches are a negligible share of random pairs
 * (true when the cohort is large). Reference: Splink, "estimate_u_using_random_sampling".
 */
export function estimateUByRandomSampling(records: readonly Prepared[], patients: readonly Prepared[], samples: number, rng: Rng): Record<FieldName, Record<string, number>> {
  const counts = {} as Record<FieldName, Record<string, number>>;
  for (const f of fieldNames) counts[f] = Object.fromEntries(levelsOf(f).map((l) => [l, 1]));
  if (records.length > 0 && patients.length > 0) {
    for (let i = 0; i < samples; i++) {
      const c = compare(records[randomInt(rng, records.length)], patients[randomInt(rng, patients.length)]);
      for (const f of fieldNames) if (c[f] !== 'absent') counts[f][c[f]]++;
    }
  }
  const u = {} as Record<FieldName, Record<string, number>>;
  for (const f of fieldNames) {
    const total = Object.values(counts[f]).reduce((a, b) => a + b, 0);
    u[f] = Object.fromEntries(Object.entries(counts[f]).map(([l, n]) => [l, n / total]));
  }
  return u;
}

export interface EmOptions {
  /** Starting parameters (and the centre of the Dirichlet priors). */
  start: Record<FieldName, FieldParams>;
  /** Starting share of matches among the blocked pairs. */
  startLambda: number;
  /** Keep u at its start (e.g. from random sampling) and estimate only m and λ. Default true. */
  fixU?: boolean;
  /** Pseudo-pairs of prior weight on each field's m (and u) distribution. Default 20. */
  priorStrength?: number;
  maxIterations?: number;
  tolerance?: number;
}

export interface EmResult {
  fields: Record<FieldName, FieldParams>;
  /** Estimated share of matches among the blocked pairs. */
  lambda: number;
  iterations: number;
  converged: boolean;
}

/**
 * Expectation-maximisation for the two-class Fellegi-Sunter mixture (Winkler 1988; Jaro 1989),
 * on blocked pairs summarised as patterns. Assumes fields are conditionally independent given
 * the match status. `absent` levels are treated as missing at random (left out of the
 * likelihood). M-step is MAP with Dirichlet priors centred on the start values, which keeps a
 * rare level (e.g. a day/month swap) from collapsing to 0 or 1 on a small sample.
 * References: Fellegi & Sunter (1969); Winkler (1988) "Using the EM algorithm for weight
 * computation in the Fellegi-Sunter model"; Splink and fastLink documentation.
 */
export function estimateByEm(patterns: PatternCounts, options: EmOptions): EmResult {
  const fixU = options.fixU ?? true;
  const strength = options.priorStrength ?? 20;
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-6;
  let fields = clone(options.start);
  let lambda = options.startLambda;
  const list = [...patterns.values()];
  const total = list.reduce((a, p) => a + p.count, 0);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    const mCounts = emptyCounts();
    const uCounts = emptyCounts();
    let matchMass = 0;
    for (const { comparison, count } of list) {
      let lm = Math.log(lambda);
      let lu = Math.log(1 - lambda);
      for (const f of fieldNames) {
        const level = comparison[f];
        if (level === 'absent') continue;
        lm += Math.log(fields[f][level].m);
        lu += Math.log(fields[f][level].u);
      }
      const p = 1 / (1 + Math.exp(lu - lm));
      matchMass += p * count;
      for (const f of fieldNames) {
        const level = comparison[f];
        if (level === 'absent') continue;
        mCounts[f][level] += p * count;
        uCounts[f][level] += (1 - p) * count;
      }
    }
    const next = {} as Record<FieldName, FieldParams>;
    let delta = 0;
    for (const f of fieldNames) {
      const levels = levelsOf(f);
      const mTotal = levels.reduce((a, l) => a + mCounts[f][l], 0) + strength;
      const uTotal = levels.reduce((a, l) => a + uCounts[f][l], 0) + strength;
      next[f] = {};
      for (const l of levels) {
        const m = (mCounts[f][l] + strength * options.start[f][l].m) / mTotal;
        const u = fixU ? options.start[f][l].u : (uCounts[f][l] + strength * options.start[f][l].u) / uTotal;
        delta = Math.max(delta, Math.abs(m - fields[f][l].m), Math.abs(u - fields[f][l].u));
        next[f][l] = { m: clamp(m), u: clamp(u) };
      }
    }
    const nextLambda = clamp(total > 0 ? matchMass / total : lambda);
    delta = Math.max(delta, Math.abs(nextLambda - lambda));
    fields = next;
    lambda = nextLambda;
    if (delta < tolerance) {
      converged = true;
      break;
    }
  }
  return { fields, lambda, iterations, converged };
}

function emptyCounts(): Record<FieldName, Record<string, number>> {
  const out = {} as Record<FieldName, Record<string, number>>;
  for (const f of fieldNames) out[f] = Object.fromEntries(levelsOf(f).map((l) => [l, 0]));
  return out;
}

function clone(f: Record<FieldName, FieldParams>): Record<FieldName, FieldParams> {
  const out = {} as Record<FieldName, FieldParams>;
  for (const k of fieldNames) out[k] = Object.fromEntries(Object.entries(f[k]).map(([l, p]) => [l, { ...p }]));
  return out;
}

const clamp = (p: number): number => Math.min(1 - 1e-9, Math.max(1e-9, p));

/**
 * Term frequencies of family names among patients: the share of patients with each name, for
 * names held by at least `minCount` patients (the common ones the adjustment is for).
 */
export function familyNameFrequencies(patients: readonly Prepared[], minCount = 5): Record<string, number> {
  const counts = new Map<string, number>();
  for (const p of patients) if (p.familyKey) counts.set(p.familyKey, (counts.get(p.familyKey) ?? 0) + 1);
  const out: Record<string, number> = {};
  for (const [name, n] of [...counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (n >= minCount) out[name] = n / patients.length;
  }
  return out;
}

export interface TrainInput {
  version: string;
  /** Starting model: its m are the priors' centre, its thresholds are kept. */
  start: LinkageModel;
  /** Blocked (record, patient) pairs' comparison patterns. */
  blocked: PatternCounts;
  /** How many blocked pairs `blocked` summarises out of all record × patient pairs. */
  blockedPairs: number;
  allPairs: number;
  /** u from random sampling (estimateUByRandomSampling). */
  u: Record<FieldName, Record<string, number>>;
  termFrequencies: Record<string, number>;
  thresholds?: Thresholds;
}

/**
 * A new model version: u by random sampling, m and λ by EM on the blocked pairs with u held
 * fixed (Splink's recipe), λ converted from "among blocked pairs" to "among all pairs" so the
 * prior weight is that of a random pair.
 */
export function trainModel(input: TrainInput): { model: LinkageModel; em: EmResult } {
  const start = {} as Record<FieldName, FieldParams>;
  for (const f of fieldNames) {
    start[f] = {};
    for (const l of levelsOf(f)) start[f][l] = { m: input.start.fields[f][l].m, u: input.u[f][l] };
  }
  const startLambda = Math.min(0.5, Math.max(1e-6, (input.start.prior * input.allPairs) / Math.max(1, input.blockedPairs)));
  const em = estimateByEm(input.blocked, { start, startLambda, fixU: true });
  const prior = Math.min(0.5, Math.max(1e-15, (em.lambda * input.blockedPairs) / Math.max(1, input.allPairs)));
  return {
    model: {
      version: input.version,
      prior,
      fields: em.fields,
      thresholds: input.thresholds ?? input.start.thresholds,
      termFrequencies: { familyName: input.termFrequencies },
    },
    em,
  };
}
