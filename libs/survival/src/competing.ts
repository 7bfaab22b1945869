// The competing-risks block of the read-out (`followup stats --cause K`, contract part 2):
// cumulative incidence per group, Gray's test, the cause-specific and the Fine-Gray models.
import { aalenJohansen, cifAt, CifAtRow, CifRow } from './aalen-johansen';
import { Ties } from './cox';
import { coxTerms } from './coxreadout';
import { SurvivalError } from './errors';
import { fineGray } from './fine-gray';
import { grayTest, GrayInput } from './gray';
import { atTimes, confZ } from './km';
import { ChiSquareTest } from './logrank';
import { collapseRows, CollapsedRows } from './collapse';
import { computeReadout, CoxReadout, CoxTerm, orderGroups } from './readout';
import { SurvivalTable } from './table';

export type { CifRow, CifAtRow } from './aalen-johansen';

/** One group's observations: times and event codes (0 censored, 1, 2, ... the causes). */
export interface CompetingGroupData {
  times: readonly number[];
  codes: readonly number[];
  /** Grouped rows: how many subjects alike each row stands for (absent: one each). */
  counts?: readonly number[];
}

export interface CompetingGroupReadout {
  group: string;
  /** Events of the cause of interest. */
  events: number;
  cif: CifRow[];
  at: CifAtRow[];
}

export interface FineGrayReadout {
  reference: string;
  terms: CoxTerm[];
}

export interface CompetingRisksReadout {
  cause: number;
  causes: number[];
  groups: CompetingGroupReadout[];
  /** null with one group, or (inestimableAsNull) when not estimable. */
  gray: ChiSquareTest | null;
  causeSpecificCox: CoxReadout | null;
  fineGray: FineGrayReadout | null;
}

export interface CompetingOptions {
  cause: number;
  reference?: string;
  ties?: Ties;
  /** Level of the limits of the CIF and of the hazard ratios (default 0.95). */
  confLevel?: number;
  at?: readonly number[];
  /** A model that cannot be estimated (a group without an event of the cause) is null
   *  instead of a SurvivalError. */
  inestimableAsNull?: boolean;
}

/** The distinct positive codes, ascending. Throws INVALID_OBSERVATION for a code that is not a
 *  non-negative integer. */
export function causesOf(groups: Iterable<CompetingGroupData>): number[] {
  const seen = new Set<number>();
  for (const g of groups) {
    for (const c of g.codes) {
      if (!(Number.isInteger(c) && c >= 0)) throw new SurvivalError('INVALID_OBSERVATION', `event code ${c} is not a non-negative integer`);
      if (c > 0) seen.add(c);
    }
  }
  return [...seen].sort((a, b) => a - b);
}

/**
 * The competing-risks read-out for cause K.
 * Method, per the contract's R calls: per group the Aalen-Johansen cumulative incidence of K
 * with survfit's infinitesimal-jackknife standard error and log-type limits at confLevel
 * (aalenJohansen), and at the `at` times (summary(fit, times, extend = TRUE)); across groups
 * Gray's test (grayTest), the cause-specific Cox model coxph(Surv(time, status == K) ~ group)
 * (coxFit through computeReadout, so exactly part 1's cox) and the Fine-Gray model through
 * finegray's weights with the robust standard error (fineGray; the model-based one when every
 * weight is 1, as coxph then reports); CI = exp(coef +- z se).
 * Groups as part 1 orders them (reference first, then by label); one group: no comparison.
 * Conventions where R leaves a choice: the CIF limits are always log type (the contract's
 * "R's default"; part 1's confType does not apply); `at` rows extend past the last time, as
 * part 1's do (summary(..., extend = TRUE)); the Fine-Gray standard error is the robust one
 * even where coxph would not compute it (all finegray weights integer: no censoring before a
 * competing event's later risk sets), where it differs from the model-based se.
 * Grouped input (CompetingGroupData.counts, integer case weights) gives the figures of the rows
 * expanded: every group is first collapsed to its distinct (time, code) pairs with counts
 * (collapseRows), the only form the estimators read, so per-subject rows and a read model's
 * cell counts reach them as the same numbers in the same order.
 * Assumes right-censored data, independent censoring; codes 0 (censored) or positive integers.
 * Reference: contract stats-cli.md part 2; R survival 3.5, cmprsk 2.2 (see each function).
 */
export function competingRisks(groups: ReadonlyMap<string, CompetingGroupData>, options: CompetingOptions): CompetingRisksReadout {
  const { cause } = options;
  const ties = options.ties ?? 'efron';
  const z = confZ(options.confLevel ?? 0.95);
  const at = atTimes(options.at);
  // Every estimator reads the collapsed rows, whether the input is per subject or grouped.
  const collapsed = new Map([...groups].map(([label, g]) => [label, collapseRows(g.times, g.codes, g.counts)] as const));
  const present = [...collapsed.entries()].filter(([, g]) => g.times.length > 0).map(([label]) => label);
  if (present.length === 0) throw new SurvivalError('EMPTY', 'no observations');
  const labels = orderGroups(present, options.reference);
  const data = labels.map((label) => collapsed.get(label) as CollapsedRows);
  const causes = causesOf(data);
  if (!(Number.isInteger(cause) && cause > 0)) throw new SurvivalError('INVALID_OPTION', `the cause must be a positive integer, got ${cause}`);
  if (!causes.includes(cause)) {
    throw new SurvivalError('INVALID_OPTION', `cause ${cause} does not occur; causes present: ${causes.join(', ') || 'none'}`);
  }
  const groupReadouts = labels.map((group, i): CompetingGroupReadout => {
    const curve = aalenJohansen(data[i].times, data[i].codes, cause, z, data[i].counts);
    return { group, events: curve.events, cif: curve.rows, at: at.map((t) => cifAt(curve, t)) };
  });
  const result: CompetingRisksReadout = { cause, causes, groups: groupReadouts, gray: null, causeSpecificCox: null, fineGray: null };
  if (labels.length < 2) return result;

  const pooled = pool(data);
  // Runs one model; a SurvivalError names the model and the cause, or (inestimableAsNull) is null.
  const estimate = <T>(model: string, f: () => T): T | null => {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof SurvivalError)) throw e;
      if (options.inestimableAsNull) return null;
      throw new SurvivalError(e.code, `${model} for cause ${cause}: ${e.message}`);
    }
  };
  result.gray = grayTest(pooled, labels.length, cause);
  const causeTables = new Map(
    labels.map((label, i) => [
      label,
      SurvivalTable.fromCounts(
        data[i].times,
        data[i].codes.map((c) => (c === cause ? 1 : 0)),
        data[i].counts,
      ),
    ]),
  );
  const csOptions = { reference: labels[0], ties, confLevel: options.confLevel };
  result.causeSpecificCox = estimate('cause-specific Cox model', () => computeReadout(causeTables, csOptions).cox);
  result.fineGray = estimate('Fine-Gray model', () => {
    const fg = fineGray(pooled, labels.length, cause, labels, ties);
    // R's summary(coxph(..., weight = fgwt)): its robust se in place of the model-based one, which
    // coxph computes only when a weight is fractional (with every weight 1 it reports se(coef)).
    const terms = coxTerms({ coef: fg.coef, variance: fg.fractionalWeights ? fg.robustVariance : fg.naiveVariance }, labels, z);
    return { reference: labels[0], terms };
  });
  return result;
}

/** All groups' observations in one set of arrays, with each subject's group index. */
function pool(data: readonly CollapsedRows[]): GrayInput & { times: number[]; group: number[]; codes: number[]; counts: number[] } {
  const times: number[] = [];
  const group: number[] = [];
  const codes: number[] = [];
  const counts: number[] = [];
  data.forEach((d, g) => {
    for (let i = 0; i < d.times.length; i++) {
      times.push(d.times[i]);
      codes.push(d.codes[i]);
      counts.push(d.counts[i]);
      group.push(g);
    }
  });
  return { times, group, codes, counts };
}
