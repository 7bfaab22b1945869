import { z } from 'zod';
import { jsonErrorReason } from '@trial/contracts';
import { FieldName, fieldLevels, fieldNames } from './levels';

/**
 * A Fellegi-Sunter linkage model (Fellegi & Sunter 1969): for each field and comparison level,
 * m = P(level | same person) and u = P(level | different people); a level's weight is the log2
 * Bayes factor log2(m/u). `prior` is λ, the probability that a random (record, patient) pair is
 * the same person; the match weight of a pair is log2(λ/(1-λ)) + Σ field weights, i.e. the log2
 * posterior odds (Splink's "match weight"). Thresholds apply to that match weight.
 * The model is plain JSON: the service stores it under `version` and every decision names it.
 */
export interface LevelParams {
  m: number;
  u: number;
}

export type FieldParams = Record<string, LevelParams>;

export interface Thresholds {
  /** At or above: link without a person. */
  link: number;
  /** At or above (and below `link`): clerical review. Below: no link. */
  review: number;
  /** A second candidate within this many bits of the best sends the record to review. */
  closeMargin: number;
}

export interface LinkageModel {
  version: string;
  prior: number;
  fields: Record<FieldName, FieldParams>;
  thresholds: Thresholds;
  /**
   * Term frequencies of normalised family names (letters only, no spaces) among patients.
   * An exact match on a name more common than u(exact) uses its frequency as u instead, so
   * SMITH = SMITH weighs less than an exact match on a rare name.
   */
  termFrequencies: { familyName: Record<string, number> };
}

const probability = z.number().gt(0).lt(1);
const levelParams = z.object({ m: probability, u: probability });

/**
 * Levels added after models were stored, each with the level whose share of the pairs it was
 * split from: a model stored before the split has no parameters for it and weighs it as that
 * level did (`withAddedLevels`).
 */
const addedLevels: Partial<Record<FieldName, Record<string, string>>> = { dateOfBirth: { 'other-year': 'other' } };

function fieldSchema(field: FieldName) {
  const levels = fieldLevels[field].filter((l) => l !== 'absent');
  const added = addedLevels[field] ?? {};
  return z.object(Object.fromEntries(levels.map((l) => [l, l in added ? levelParams.optional() : levelParams]))).strict();
}

/** A parsed model with every level: an added level missing from it takes the parameters of the level it was split from. */
function withAddedLevels(model: LinkageModel): LinkageModel {
  let fields = model.fields;
  for (const [f, added] of Object.entries(addedLevels) as [FieldName, Record<string, string>][]) {
    for (const [level, from] of Object.entries(added)) {
      if (fields[f][level] === undefined) fields = { ...fields, [f]: { ...fields[f], [level]: { ...fields[f][from] } } };
    }
  }
  return fields === model.fields ? model : { ...model, fields };
}

export const linkageModelSchema = z.object({
  version: z.string().min(1),
  prior: probability,
  fields: z.object(Object.fromEntries(fieldNames.map((f) => [f, fieldSchema(f)]))),
  thresholds: z
    .object({ link: z.number(), review: z.number(), closeMargin: z.number().nonnegative() })
    .refine((t) => t.review <= t.link, { message: 'review threshold must not exceed link threshold' }),
  termFrequencies: z.object({ familyName: z.record(z.string(), probability) }),
});

export type ModelParseResult = { ok: true; model: LinkageModel } | { ok: false; code: 'invalid-model'; reason: string };

/** Reads a stored model (JSON text), checking every probability and threshold. */
export function parseModel(json: string): ModelParseResult {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    return { ok: false, code: 'invalid-model', reason: `not JSON: ${jsonErrorReason(e)}` };
  }
  const parsed = linkageModelSchema.safeParse(value);
  if (!parsed.success) {
    return { ok: false, code: 'invalid-model', reason: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  }
  return { ok: true, model: withAddedLevels(parsed.data as LinkageModel) };
}

export function serialiseModel(model: LinkageModel): string {
  return JSON.stringify(model, null, 2);
}

/** Weights of a model, computed once per model object. */
export interface CompiledModel {
  model: LinkageModel;
  /** λ the weights include: the model's, or one estimated from the data at hand (prior.ts). */
  prior: number;
  priorWeight: number;
  weights: Record<FieldName, Record<string, number>>;
  /** Exact family-name weight for names in the term-frequency table. */
  familyExactTf: Map<string, number>;
  /** The largest weight each name field can add: bounds used to skip hopeless candidates. */
  maxFamilyWeight: number;
  maxGivenWeight: number;
}

const compiled = new WeakMap<LinkageModel, Map<number, CompiledModel>>();

/**
 * The model's weights with prior λ = `prior` (default the model's own): the field weights do not
 * depend on λ, only `priorWeight` does, so a model compiled under another λ shares them.
 */
export function compileModel(model: LinkageModel, prior: number = model.prior): CompiledModel {
  let byPrior = compiled.get(model);
  if (!byPrior) compiled.set(model, (byPrior = new Map()));
  const cached = byPrior.get(prior);
  if (cached) return cached;
  const base = byPrior.values().next().value as CompiledModel | undefined;
  if (base) {
    const c: CompiledModel = { ...base, prior, priorWeight: Math.log2(prior / (1 - prior)) };
    byPrior.set(prior, c);
    return c;
  }
  const weights = {} as Record<FieldName, Record<string, number>>;
  for (const f of fieldNames) {
    const w: Record<string, number> = { absent: 0 };
    for (const [level, p] of Object.entries(model.fields[f])) w[level] = Math.log2(p.m / p.u);
    weights[f] = w;
  }
  const exact = model.fields.familyName.exact;
  const familyExactTf = new Map<string, number>();
  for (const [name, tf] of Object.entries(model.termFrequencies.familyName)) {
    // Only names more common than the average exact-agreement rate are down-weighted; rarer
    // names keep the field's weight (conservative: no up-weighting from a sparse table).
    if (tf > exact.u) familyExactTf.set(name, Math.log2(exact.m / tf));
  }
  const c: CompiledModel = {
    model,
    prior,
    priorWeight: Math.log2(prior / (1 - prior)),
    weights,
    familyExactTf,
    maxFamilyWeight: Math.max(...Object.values(weights.familyName)),
    maxGivenWeight: Math.max(...Object.values(weights.givenNames)),
  };
  byPrior.set(prior, c);
  return c;
}
