// `followup stats --strata / --subgroups` (contract stats-cli.md part 2): the wiring from the
// parsed cohort to the library's stratifiedComparison and subgroupAnalysis, and their section
// of the text report. The statistics themselves are in @trial/survival.
import {
  ChiSquareTest,
  CohortRows,
  StratifiedComparison,
  stratifiedComparison,
  Subgroup,
  subgroupAnalysis,
  SurvivalReadout,
  Ties,
} from '@trial/survival';

/** The rows and the --strata / --subgroups columns' values, kept when those options are given. */
export interface CohortCovariates {
  rows: CohortRows;
  /** Column name -> its value per row (text, as in the file). */
  values: Map<string, string[]>;
}

/** The part-1 read-out plus the part-2 fields, in the contract's order. */
export type ExtendedReadout = SurvivalReadout & { stratified?: StratifiedComparison; subgroups?: Subgroup[] };

export interface StrataOptions {
  strata: readonly string[];
  subgroups: readonly string[];
  ties: Ties;
  confLevel: number;
}

/**
 * Adds `stratified` (with --strata) and `subgroups` (with --subgroups) after the part-1 fields.
 * The groups keep the read-out's order (reference first), so the terms match part 1's `cox`.
 * Throws the library's SurvivalError when the data cannot support a comparison.
 */
export function withStrataAndSubgroups(readout: SurvivalReadout, cohort: CohortCovariates, opts: StrataOptions): ExtendedReadout {
  const groups = readout.groups.map((g) => g.group);
  const column = (name: string): string[] => cohort.values.get(name) ?? [];
  const options = { ties: opts.ties, confLevel: opts.confLevel };
  const out: ExtendedReadout = { ...readout };
  if (opts.strata.length > 0) {
    out.stratified = stratifiedComparison(cohort.rows, opts.strata, opts.strata.map(column), groups, options);
  }
  if (opts.subgroups.length > 0) {
    out.subgroups = opts.subgroups.map((name) => subgroupAnalysis(cohort.rows, name, column(name), groups, options));
  }
  return out;
}

/** Parses `COL[,COL...]`; an error when a name is empty or repeated. */
export function columnList(value: string): { columns: string[] } | { error: string } {
  const columns = value.split(',').map((s) => s.trim());
  if (columns.some((c) => c === '')) return { error: `an empty column name in '${value}'` };
  const repeated = columns.find((c, i) => columns.indexOf(c) !== i);
  if (repeated !== undefined) return { error: `column '${repeated}' is named twice` };
  return { columns };
}

const p4 = (p: number): string => (p < 1e-4 ? '<0.0001' : p.toFixed(4));
const r3 = (x: number): string => Number(x.toPrecision(3)).toString();
const test = (x: ChiSquareTest): string => `chi-square = ${x.chiSquare.toFixed(2)} on ${x.df} df, p = ${p4(x.pValue)}`;

/** The text report's section for the stratified comparison and the subgroups (forest-plot rows). */
export function formatStrataReport(readout: ExtendedReadout, level: string): string[] {
  const out: string[] = [];
  const s = readout.stratified;
  if (s) {
    out.push('', `Stratified by ${s.strata.join(', ')}:`);
    out.push(`  Log-rank test: ${test(s.logRank)}`);
    for (const t of s.cox.terms) {
      const hr = `HR ${r3(t.hazardRatio)} (${level} CI ${r3(t.lower)}, ${r3(t.upper)}), p = ${p4(t.pValue)}`;
      out.push(`  Cox (ties: ${s.cox.ties}) ${t.group} vs ${s.cox.reference}: ${hr}`);
    }
    out.push(`  Likelihood ratio test: ${test(s.cox.likelihoodRatio)}`);
  }
  for (const sub of readout.subgroups ?? []) {
    out.push('', `Subgroups by ${sub.variable}: interaction ${sub.interaction ? test(sub.interaction) : 'not estimable'}`);
    for (const l of sub.levels) {
      const arms = l.groups.map((g) => `${g.group} ${g.events}/${g.n}`).join(', ');
      const hrs = l.cox
        ? l.cox.terms.map((t) => `${t.group} HR ${r3(t.hazardRatio)} (${r3(t.lower)}, ${r3(t.upper)})`).join('; ')
        : 'HR not estimable';
      out.push(`  ${sub.variable} = ${l.level}: n = ${l.n}, events ${arms}; ${hrs}`);
    }
  }
  return out;
}
