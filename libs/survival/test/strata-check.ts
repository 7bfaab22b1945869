// Compares a `stratified` / `subgroups` result with a case of strata-reference.ts (R survival),
// in the contract's terms: counts exactly, log-rank to 1e-9 relative, every Cox and interaction
// figure to 1e-6 relative. Shared by the library's R test and the CLI's.
import type { CoxTerm, StratifiedComparison, Subgroup } from '../src';
import { arr, Mismatches } from './helpers';
import { Deviations } from './strata-helpers';
import { strataCases } from './strata-reference';

export const LOGRANK_TOL = 1e-9;
export const COX_TOL = 1e-6;
const FIELDS = ['coef', 'stdErr', 'hazardRatio', 'lower', 'upper', 'z', 'pValue'] as const;

export type StrataCase = (typeof strataCases)[number];
export interface RTest {
  chiSquare: number;
  df: number;
  pValue: number;
}
interface Col {
  [field: string]: unknown;
}
const col = (c: unknown, f: string): Array<number | string | null> => arr((c as Col)[f] as number | number[] | null);
type RCox = { reference: string; ties: string; terms: unknown; likelihoodRatio: RTest; wald: RTest; score: RTest };
type RLevel = { level: string; n: number; events: number; groups: unknown; cox: { terms: unknown } | null };
type RSubgroup = { variable: string; interaction: RTest | null; levels: RLevel[] };

export class StrataChecker {
  readonly m = new Mismatches();

  constructor(private readonly dev: Deviations) {}

  close(path: string, actual: number | null | undefined, expected: unknown, tol: number): void {
    this.m.close(path, actual, expected as number | null, tol);
    this.dev.relative(path, actual, expected as number | null);
  }

  chi(path: string, got: RTest | null | undefined, r: RTest | null, tol: number): void {
    if (r === null || got === null || got === undefined) {
      this.m.exact(path, got ?? null, r);
      return;
    }
    this.close(`${path}.chiSquare`, got.chiSquare, r.chiSquare, tol);
    this.m.exact(`${path}.df`, got.df, r.df);
    this.close(`${path}.pValue`, got.pValue, r.pValue, tol);
  }

  terms(path: string, got: readonly CoxTerm[] | undefined, rterms: unknown): void {
    const labels = col(rterms, 'group');
    this.m.exact(`${path}.length`, got?.length, labels.length);
    labels.forEach((label, i) => {
      this.m.exact(`${path}[${i}].group`, got?.[i]?.group, label);
      for (const f of FIELDS) this.close(`${path}[${String(label)}].${f}`, got?.[i]?.[f], col(rterms, f)[i], COX_TOL);
    });
  }

  /** `stratified` against the case (when the case has strata). */
  stratified(got: StratifiedComparison | undefined, rc: StrataCase): void {
    const rs = (rc as unknown as { stratified?: { strata: string | string[]; logRank: RTest; cox: RCox } }).stratified;
    if (rs === undefined) {
      this.m.exact('stratified', got ?? null, null);
      return;
    }
    this.m.exact('stratified.strata', got?.strata.join(','), arr(rs.strata).join(','));
    this.chi('stratified.logRank', got?.logRank, rs.logRank, LOGRANK_TOL);
    this.m.exact('stratified.cox.reference', got?.cox.reference, rs.cox.reference);
    this.m.exact('stratified.cox.ties', got?.cox.ties, rs.cox.ties);
    this.terms('stratified.cox.terms', got?.cox.terms, rs.cox.terms);
    for (const t of ['likelihoodRatio', 'wald', 'score'] as const) this.chi(`stratified.cox.${t}`, got?.cox[t], rs.cox[t], COX_TOL);
  }

  /** One entry of `subgroups` against the case's subgroup of the same position. */
  subgroup(got: Subgroup | undefined, rsub: RSubgroup): void {
    const p = `subgroups[${rsub.variable}]`;
    this.m.exact(`${p}.variable`, got?.variable, rsub.variable);
    this.chi(`${p}.interaction`, got?.interaction, rsub.interaction, COX_TOL);
    this.m.exact(`${p}.levels.length`, got?.levels.length, rsub.levels.length);
    rsub.levels.forEach((rl, li) => {
      const l = got?.levels[li];
      const q = `${p}.levels[${rl.level}]`;
      this.m.exact(`${q}.level`, l?.level, String(rl.level));
      this.m.exact(`${q}.n`, l?.n, rl.n);
      this.m.exact(`${q}.events`, l?.events, rl.events);
      col(rl.groups, 'group').forEach((g, gi) => {
        this.m.exact(`${q}.groups[${gi}].group`, l?.groups[gi]?.group, g);
        this.m.exact(`${q}.groups[${gi}].n`, l?.groups[gi]?.n, col(rl.groups, 'n')[gi]);
        this.m.exact(`${q}.groups[${gi}].events`, l?.groups[gi]?.events, col(rl.groups, 'events')[gi]);
      });
      if (rl.cox === null) this.m.exact(`${q}.cox`, l?.cox ?? null, null);
      else this.terms(`${q}.cox.terms`, l?.cox?.terms, rl.cox.terms);
    });
  }

  subgroups(got: readonly Subgroup[] | undefined, rc: StrataCase): void {
    const rsubs = rc.subgroups as unknown as RSubgroup[];
    this.m.exact('subgroups.length', got?.length ?? 0, rsubs.length);
    rsubs.forEach((rsub, i) => this.subgroup(got?.[i], rsub));
  }
}
