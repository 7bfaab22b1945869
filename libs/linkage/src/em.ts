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
export function estimateUByRandomSampling(
  records: readonly Prepared[],
  patients: readonly Prepared[],
  samples: number,
  rng: Rng,
): Record<FieldName, Record<string, number>> {
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
  /** Starting share of matches among the blocked pairs (among all pairs when `allPairs` is given). */
  startLambda: number;
  /**
   * How many pairs there are in all (every record × every patient) when `patterns` are only the
   * blocked ones. Then λ is the share of matches among ALL pairs, pairs outside the blocks are
   * taken as non-matches (blocking keeps nearly every match), and a blocked pair's posterior is
   * λ·P(γ|M) / (λ·P(γ|M) + (1-λ)·P(γ|U)) with u of random pairs: the same posterior the pair
   * has in the whole population, whatever share of the non-matches blocking dropped. Without
   * it, λ is the share among the blocked pairs, which with u from random sampling overstates
   * every blocked pair's odds by allPairs/blockedPairs (blocked non-matches agree on the
   * blocking fields far more often than random pairs do).
   */
  allPairs?: number;
  /** Keep u at its start (e.g. from random sampling) and estimate only m and λ. Default true. */
  fixU?: boolean;
  /** Fields whose m is kept at its start (estimated elsewhere). Default none. */
  fixM?: readonly FieldName[];
  /** Pseudo-pairs of prior weight on each field's m (and u) distribution. Default 20. */
  priorStrength?: number;
  maxIterations?: number;
  tolerance?: number;
}

export interface EmResult {
  fields: Record<FieldName, FieldParams>;
  /** Estimated share of matches among the blocked pairs (among all pairs when `allPairs` was given). */
  lambda: number;
  /** Expected number of matches among the pairs (the posterior mass). */
  matches: number;
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
  const fixedM = new Set<FieldName>(options.fixM ?? []);
  const strength = options.priorStrength ?? 20;
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-6;
  let fields = clone(options.start);
  let lambda = options.startLambda;
  const list = [...patterns.values()];
  const blocked = list.reduce((a, p) => a + p.count, 0);
  const total = options.allPairs ?? blocked;
  if (total < blocked) throw new RangeError(`allPairs (${total}) is below the number of blocked pairs (${blocked})`);
  let iterations = 0;
  let converged = false;
  let matches = 0;
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
      const keepM = fixedM.has(f);
      for (const l of levels) {
        const m = keepM ? options.start[f][l].m : (mCounts[f][l] + strength * options.start[f][l].m) / mTotal;
        const u = fixU ? options.start[f][l].u : (uCounts[f][l] + strength * options.start[f][l].u) / uTotal;
        delta = Math.max(delta, Math.abs(m - fields[f][l].m), Math.abs(u - fields[f][l].u));
        next[f][l] = { m: clamp(m), u: clamp(u) };
      }
    }
    // λ among all pairs is about matches / (records × patients): for big files it can fall below clamp's floor.
    const nextLambda = Math.min(1 - 1e-9, Math.max(1e-300, total > 0 ? matchMass / total : lambda));
    // λ's change relative to λ: among all pairs λ is ~1e-6, below any absolute tolerance.
    delta = Math.max(delta, Math.abs(nextLambda - lambda) / lambda);
    matches = matchMass;
    fields = next;
    lambda = nextLambda;
    if (delta < tolerance) {
      converged = true;
      break;
    }
  }
  return { fields, lambda, matches, iterations, converged };
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
  /** Starting model: its m are the priors' centre, its prior λ EM's start; its thresholds are kept unless `thresholds` is given. */
  start: LinkageModel;
  /** Blocked (record, patient) pairs' comparison patterns. */
  blocked: PatternCounts;
  /** How many blocked pairs `blocked` summarises out of all record × patient pairs. */
  blockedPairs: number;
  allPairs: number;
  /** u from random sampling (estimateUByRandomSampling). */
  u: Record<FieldName, Record<string, number>>;
  /** How many random pairs `u` came from: given, u is corrected for the matches among them (uWithoutMatches). */
  uSamples?: number;
  termFrequencies: Record<string, number>;
  thresholds?: Thresholds;
  maxIterations?: number;
}

/**
 * An EM session (Splink's "estimate_parameters_using_expectation_maximisation" with a blocking
 * rule): EM over the pairs a rule selects, estimating m of some fields. The rule's own fields
 * are left out of the likelihood (the rule made them agree, so they say nothing about the
 * match status within the session); fields neither in the rule nor estimated keep the m an
 * earlier session gave them.
 */
export interface EmSessionRule {
  name: string;
  /** The rule's fields, all at `exact`. */
  rule: readonly FieldName[];
  estimate: readonly FieldName[];
}

/**
 * Why sessions rather than one EM over all blocked pairs: EM assumes the fields are independent
 * given the match status, and hard non-matches break that. On the generator's data a twin
 * registered dead (same date of birth, family name and often address; another given name and
 * NHS number) looks to a one-pass EM like a match with two errors: it put 5% of matches on
 * "different NHS number" (truth 1.3%), 2.7% on "other given name" (truth 0.1%) and 1.6% on
 * "different sex" (truth 0.3%), so exactly the fields that tell twins apart lost their weight.
 * Pairs with the same NHS/CHI number are nearly all the same person, so the first session gives
 * clean m for every other field; twins differ in given name, so the second session, on pairs
 * with the same date of birth and given names, gives m for the identifier with them left out.
 */
export const emSessions: readonly EmSessionRule[] = [
  { name: 'same identifier', rule: ['identifier'], estimate: ['dateOfBirth', 'sex', 'familyName', 'givenNames', 'postcode'] },
  { name: 'same date of birth and given names', rule: ['dateOfBirth', 'givenNames'], estimate: ['identifier'] },
];

export interface SessionResult {
  name: string;
  /** Blocked pairs the rule selected. */
  pairs: number;
  estimated: FieldName[];
  /** Null when the rule selected no pair (then the fields were estimated by EM over all blocked pairs). */
  em: EmResult | null;
}

/** The patterns matching a session's rule, with the rule's fields made absent. */
function sessionPatterns(patterns: PatternCounts, rule: readonly FieldName[]): { patterns: PatternCounts; pairs: number } {
  const out: PatternCounts = new Map();
  let pairs = 0;
  for (const { comparison, count } of patterns.values()) {
    if (!rule.every((f) => comparison[f] === 'exact')) continue;
    const c = { ...comparison } as Record<FieldName, string>;
    for (const f of rule) c[f] = 'absent';
    const k = fieldNames.map((f) => c[f]).join('|');
    const e = out.get(k);
    if (e) e.count += count;
    else out.set(k, { comparison: c as unknown as Comparison, count });
    pairs += count;
  }
  return { patterns: out, pairs };
}

/**
 * Random pairs include a few matches (a share λ of them), so the level frequencies ū that
 * random sampling measures are λ·m + (1-λ)·u, not u. Negligible when λ is tiny (100,000
 * patients × 1,000,000 rows: λ ≈ 2e-7), but in a small cohort the matches among random pairs
 * are most of those that agree on the NHS number or the full postcode, which would take ~5 bits
 * off those levels' weights. Solves for u, each level at least `floor` (then renormalised).
 */
export function uWithoutMatches(
  sampled: Record<FieldName, Record<string, number>>,
  fields: Record<FieldName, FieldParams>,
  lambda: number,
  floor: number,
): Record<FieldName, Record<string, number>> {
  const out = {} as Record<FieldName, Record<string, number>>;
  for (const f of fieldNames) {
    const levels = levelsOf(f);
    const raw = levels.map((l) => Math.max(floor, (sampled[f][l] - lambda * fields[f][l].m) / (1 - lambda)));
    const total = raw.reduce((a, b) => a + b, 0);
    out[f] = Object.fromEntries(levels.map((l, i) => [l, raw[i] / total]));
  }
  return out;
}

/** Where EM starts: each level's m from `fields`, its u from `u`. */
export function mWithU(fields: Record<FieldName, FieldParams>, u: Record<FieldName, Record<string, number>>): Record<FieldName, FieldParams> {
  const out = {} as Record<FieldName, FieldParams>;
  for (const f of fieldNames) {
    out[f] = {};
    for (const l of levelsOf(f)) out[f][l] = { m: fields[f][l].m, u: u[f][l] };
  }
  return out;
}

/** m by the EM sessions, then λ by EM over all blocked pairs, for one set of u. */
function fit(input: TrainInput, u: Record<FieldName, Record<string, number>>): { em: EmResult; sessions: SessionResult[] } {
  const current = mWithU(input.start.fields, u);
  const sessions: SessionResult[] = [];
  const unestimated = new Set<FieldName>(fieldNames);
  for (const rule of emSessions) {
    const { patterns, pairs } = sessionPatterns(input.blocked, rule.rule);
    let em: EmResult | null = null;
    if (pairs > 0) {
      em = estimateByEm(patterns, {
        start: current,
        startLambda: 0.5,
        fixU: true,
        maxIterations: input.maxIterations,
        fixM: fieldNames.filter((f) => !rule.estimate.includes(f)),
      });
      for (const f of rule.estimate) {
        current[f] = em.fields[f];
        unestimated.delete(f);
      }
    }
    sessions.push({ name: rule.name, pairs, estimated: [...rule.estimate], em });
  }
  const fallback = fieldNames.filter((f) => unestimated.has(f));
  const em = estimateByEm(input.blocked, {
    start: current,
    startLambda: input.start.prior,
    fixU: true,
    allPairs: input.allPairs,
    maxIterations: input.maxIterations,
    fixM: fieldNames.filter((f) => !unestimated.has(f)),
  });
  if (fallback.length) sessions.push({ name: 'all blocked pairs', pairs: input.blockedPairs, estimated: fallback, em });
  return { em, sessions };
}

/**
 * A new model version: u by random sampling (given); m by EM with u held fixed, in the
 * sessions of `emSessions`; then λ, the share of matches among ALL record × patient pairs
 * (the model's prior, the population u is of), by EM over every blocked pair with m and u held
 * fixed (EmOptions.allPairs). A field whose session selected no pair (e.g. a cohort without
 * identifiers) gets its m from EM over all blocked pairs instead. With `uSamples`, u is then
 * cleared of the matches among the random pairs (uWithoutMatches, floor 1/uSamples) and
 * everything estimated once more with it.
 */
export function trainModel(input: TrainInput): { model: LinkageModel; em: EmResult; sessions: SessionResult[] } {
  if (input.blockedPairs > input.allPairs) throw new RangeError(`blockedPairs (${input.blockedPairs}) exceeds allPairs (${input.allPairs})`);
  let result = fit(input, input.u);
  if (input.uSamples !== undefined) {
    result = fit(input, uWithoutMatches(input.u, result.em.fields, result.em.lambda, 1 / input.uSamples));
  }
  const { em, sessions } = result;
  return {
    model: {
      version: input.version,
      prior: Math.min(0.5, Math.max(1e-15, em.lambda)),
      fields: em.fields,
      thresholds: input.thresholds ?? input.start.thresholds,
      termFrequencies: { familyName: input.termFrequencies },
    },
    em,
    sessions,
  };
}
