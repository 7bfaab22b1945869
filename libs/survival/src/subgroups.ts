// The forest plot of a DSMB report: per subgroup level the arms' numbers and the Cox hazard
// ratios within that level, and per subgroup variable the likelihood-ratio test of the
// arm-by-subgroup interaction (`followup stats --subgroups`, contract stats-cli.md part 2).
import { coxFit, Ties } from './cox';
import { coxFitCells } from './coxdesign';
import { coxTerms } from './coxreadout';
import { pchisqUpper } from './dist';
import { SurvivalError } from './errors';
import { confZ } from './km';
import { ChiSquareTest } from './logrank';
import { mergeTables } from './merge';
import type { CoxTerm } from './readout';
import { CohortRows, groupTables, partitionRows } from './stratified';
import { SurvivalTable } from './table';

export interface SubgroupArm {
  group: string;
  n: number;
  events: number;
}

export interface SubgroupLevel {
  level: string;
  n: number;
  events: number;
  groups: SubgroupArm[];
  /** null when a group of this level has no patient or no event (an infinite hazard ratio). */
  cox: { terms: CoxTerm[] } | null;
}

export interface Subgroup {
  variable: string;
  /**
   * null for a variable of one level (R's coxph refuses `group * COL` then); when the
   * interaction adds no coefficient R can estimate (an arm absent from a level), df 0 and
   * p 1 with the chi-square of the two fits, as anova reports it.
   */
  interaction: ChiSquareTest | null;
  levels: SubgroupLevel[];
}

export interface SubgroupOptions {
  ties?: Ties;
  confLevel?: number;
}

/**
 * One subgroup variable's forest-plot rows and interaction test.
 * Method: the variable is a factor, its levels sorted by label (R's order, labels.ts). Per level,
 * each group's n and events, and the Cox model of the group factor on that level's rows
 * (coxFit: Efron or Breslow, CI at confLevel); null when a group of the level has no patient
 * or no event, or the likelihood is monotone. Interaction: twice the difference in maximised
 * log partial likelihood between the models with and without the group-by-level terms
 * (treatment contrasts, R's model.matrix for group * COL), on as many df as the interaction
 * adds coefficients that R does not report NA (anova's Df); the cells' design is fitted by
 * coxFitCells, and an infinite coefficient (a cell without events) or a fit out of
 * iterations gives the log-likelihood R reports with its warning. `groups` lists every group
 * label, the reference first.
 * Grouped rows (rows.count) give the figures of the rows expanded: the cell tables hold counts.
 * Assumes proportional hazards within each level, independent censoring.
 * Reference: R survival 3.5 coxph(Surv(time, status) ~ group, ties = ..., subset = COL == level);
 * anova(coxph(Surv(time, status) ~ group + COL), coxph(Surv(time, status) ~ group * COL))
 * (anova.coxphlist: Chisq, Df, Pr(>|Chi|)); Therneau & Grambsch 2000, section 3.4.
 * Cost O(n log n) for the tables; O(E (C + D p^2)) per interaction-model evaluation over E
 * death times (D deaths at each), C = k L cells, p = k L - 1 coefficients.
 */
export function subgroupAnalysis(
  rows: CohortRows,
  variable: string,
  values: readonly string[],
  groups: readonly string[],
  options: SubgroupOptions = {},
): Subgroup {
  const ties = options.ties ?? 'efron';
  const z = confZ(options.confLevel ?? 0.95);
  if (groups.length < 2) throw new SurvivalError('SINGLE_GROUP', 'subgroup hazard ratios need at least two groups');
  const parts = partitionRows(values);
  const cellTables: SurvivalTable[] = [];
  const levels: SubgroupLevel[] = [];
  for (const [level, indices] of parts) {
    const tables = groupTables(rows, indices, groups);
    cellTables.push(...tables);
    const arms = tables.map((tb, g) => ({ group: groups[g], n: tb.n, events: tb.events }));
    levels.push({
      level,
      n: arms.reduce((s, a) => s + a.n, 0),
      events: arms.reduce((s, a) => s + a.events, 0),
      groups: arms,
      cox: levelCox(tables, groups, ties, z),
    });
  }
  return { variable, interaction: interactionTest(cellTables, groups.length, parts.size, ties), levels };
}

function levelCox(tables: SurvivalTable[], groups: readonly string[], ties: Ties, z: number): { terms: CoxTerm[] } | null {
  if (tables.some((tb) => tb.n === 0 || tb.events === 0)) return null;
  try {
    return { terms: coxTerms(coxFit(mergeTables(tables), groups, { ties }), groups, z) };
  } catch (err) {
    if (err instanceof SurvivalError && (err.code === 'NOT_CONVERGED' || err.code === 'SINGULAR')) return null;
    throw err;
  }
}

/**
 * The LR interaction test from the k x L cell tables (cell l k + g: level l, group g).
 * Covariates of cell (g, l): group dummies [g = 1..k-1], level dummies [l = 1..L-1], and for
 * the interaction model their products, as R's treatment contrasts.
 */
function interactionTest(cellTables: readonly SurvivalTable[], k: number, levelCount: number, ties: Ties): ChiSquareTest | null {
  if (levelCount < 2) return null;
  const dummies = (index: number, count: number): number[] => Array.from({ length: count - 1 }, (_, j) => (index === j + 1 ? 1 : 0));
  const main: number[][] = [];
  const full: number[][] = [];
  for (let l = 0; l < levelCount; l++) {
    for (let g = 0; g < k; g++) {
      const dg = dummies(g, k);
      const dl = dummies(l, levelCount);
      main.push([...dg, ...dl]);
      full.push([...dg, ...dl, ...dl.flatMap((a) => dg.map((b) => a * b))]);
    }
  }
  const strata = [mergeTables(cellTables)];
  const additive = coxFitCells({ x: main, strata }, { ties, acceptInfinite: true });
  const interaction = coxFitCells({ x: full, strata }, { ties, acceptInfinite: true });
  const df = Math.max(0, interaction.fit.df - additive.fit.df);
  const chiSquare = Math.abs(2 * (interaction.fit.loglik - additive.fit.loglik));
  // R's anova.coxphlist: Df 0 (the interaction columns all NA), Pr(>|Chi|) 1.
  return { chiSquare, df, pValue: df === 0 ? 1 : pchisqUpper(chiSquare, df) };
}
