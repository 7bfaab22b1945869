import { LinkageModel } from './model';
import trained from './default-model.json';

/**
 * Starting values and Dirichlet prior centres for EM ("sane priors"): m from the error rates
 * registries are known for (NHS number present and right in ~93% of matched deaths, a day/month
 * swap in ~1.5%, a changed postcode in ~15-20%), u from the chance agreement of random people
 * (1 in ~15,000 on date of birth, ~0.5% on family name). Thresholds are in bits of posterior odds:
 * link at ≥ 10 (odds about 1000:1, a link's own posterior at least 0.999), review at ≥ 0.
 * Household twins without an NHS number score near 11 bits on the generator's data; they are
 * kept out by the household rule (conclude.ts `householdUnconfirmed`), not by the threshold.
 */
export const priorModel: LinkageModel = {
  version: 'fs-prior-1',
  prior: 5e-7,
  fields: {
    identifier: { exact: { m: 0.93, u: 1e-7 }, near: { m: 0.02, u: 1e-6 }, other: { m: 0.05, u: 0.999998 } },
    dateOfBirth: {
      exact: { m: 0.93, u: 7e-5 },
      swap: { m: 0.015, u: 7e-5 },
      'one-day': { m: 0.01, u: 1.4e-4 },
      'same-year': { m: 0.03, u: 0.025 },
      'other-year': { m: 0.005, u: 0.0027 },
      other: { m: 0.01, u: 0.972 },
    },
    sex: { same: { m: 0.98, u: 0.5 }, differ: { m: 0.02, u: 0.5 } },
    familyName: {
      exact: { m: 0.88, u: 0.005 },
      jw92: { m: 0.04, u: 0.004 },
      jw88: { m: 0.01, u: 0.005 },
      partial: { m: 0.01, u: 0.001 },
      other: { m: 0.06, u: 0.985 },
    },
    givenNames: {
      exact: { m: 0.8, u: 0.01 },
      jw92: { m: 0.04, u: 0.01 },
      jw88: { m: 0.01, u: 0.01 },
      partial: { m: 0.13, u: 0.03 },
      other: { m: 0.02, u: 0.94 },
    },
    postcode: {
      full: { m: 0.75, u: 1e-5 },
      sector: { m: 0.05, u: 1e-4 },
      district: { m: 0.05, u: 5e-4 },
      other: { m: 0.15, u: 0.9994 },
    },
  },
  thresholds: { link: 10, review: 0, closeMargin: 6 },
  termFrequencies: { familyName: {} },
};

/**
 * The model `followup link` and a fresh linkage service start from, stored as JSON (the
 * service stores it in lk_models under its version on first use). Trained with `followup
 * train` on the bench generator's data (seed 42, 100,000 patients, 1,000,000 ONS rows,
 * generator version 2); `npm run train:default` reproduces it byte for byte:
 *
 *   node dist/bench/linkage/generate.js --seed 42 --patients 100000 --rows 1000000 --out $TMPDIR/trial-followup-train-default
 *   node bin/followup.js train --cohort $TMPDIR/trial-followup-train-default/cohort.csv \
 *     --registry $TMPDIR/trial-followup-train-default/extract.csv --seed 42 --out libs/linkage/src/default-model.json
 *
 * i.e. u by 2,000,000 random pairs, m by EM (priorModel above as the priors' centre) on the
 * blocked pairs of a 25% sample of the rows, λ by EM; thresholds the defaults of `train`
 * (link 10, review 0, close margin 6: see bench/linkage/README.md for what they give). Its
 * version, fs-em-<hash>, is a hash of its content.
 */
export const defaultModel: LinkageModel = trained as LinkageModel;
