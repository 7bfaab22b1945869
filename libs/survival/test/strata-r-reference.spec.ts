// Agreement with R survival 3.5 of the stratified log-rank test and Cox model, the per-level
// Cox models and the LR interaction test (contract stats-cli.md part 2) on R's own data sets
// (colon, veteran, pbc, lung), hand-made cases and seeded random small cohorts where R warns
// (infinite coefficients, out of iterations) or drops aliased terms: counts exactly, log-rank to 1e-9 relative,
// every Cox and interaction figure to 1e-6 relative. The expected numbers and the R call
// beside each are in strata-reference.ts (regenerate: `Rscript libs/survival/test/strata-reference.R`).
import { CoxTerm, stratifiedComparison, subgroupAnalysis, Ties } from '../src';
import { arr, Mismatches } from './helpers';
import { Deviations, loadStrataFixture } from './strata-helpers';
import { interactionFuzzCases, strataCases } from './strata-reference';

const LOGRANK_TOL = 1e-9;
const COX_TOL = 1e-6;
const FIELDS = ['coef', 'stdErr', 'hazardRatio', 'lower', 'upper', 'z', 'pValue'] as const;

interface Col { [field: string]: unknown }
const col = (c: unknown, f: string): Array<number | string | null> => arr((c as Col)[f] as number | number[] | null);
interface RTest { chiSquare: number; df: number; pValue: number }

const dev = new Deviations();
function close(m: Mismatches, path: string, actual: number | null | undefined, expected: unknown, tol: number): void {
  m.close(path, actual, expected as number | null, tol);
  dev.relative(path, actual, expected as number | null);
}

function terms(m: Mismatches, path: string, got: readonly CoxTerm[] | undefined, rterms: unknown): void {
  const labels = col(rterms, 'group');
  m.exact(`${path}.length`, got?.length, labels.length);
  labels.forEach((label, i) => {
    m.exact(`${path}[${i}].group`, got?.[i]?.group, label);
    for (const f of FIELDS) close(m, `${path}[${String(label)}].${f}`, got?.[i]?.[f], col(rterms, f)[i], COX_TOL);
  });
}

function chi(m: Mismatches, path: string, got: RTest | null | undefined, r: RTest | null, tol: number): void {
  if (r === null || got === null || got === undefined) {
    m.exact(`${path}`, got ?? null, r);
    return;
  }
  close(m, `${path}.chiSquare`, got.chiSquare, r.chiSquare, tol);
  m.exact(`${path}.df`, got.df, r.df);
  close(m, `${path}.pValue`, got.pValue, r.pValue, tol);
}

afterAll(() => {
  // The largest relative deviation from R over every compared figure, for the record.
  process.stdout.write(`strata/subgroups: max relative deviation from R ${dev.max.toExponential(2)} at ${dev.where}\n`);
});

describe('stratified comparison and subgroups agree with R survival', () => {
  test.each(strataCases.map((c, i) => [`${c.name} #${i} ${c.options.ties} strata ${arr(c.options.strata).join('+')}`, c] as const))(
    '%s',
    (_label, rc) => {
      const fx = loadStrataFixture(rc.name);
      const groups = fx.groups(rc.options.reference);
      const options = { ties: rc.options.ties as Ties, confLevel: rc.options.confLevel };
      const m = new Mismatches();
      const strata = arr(rc.options.strata as string | string[] | null);
      type RCox = { reference: string; ties: string; terms: unknown; likelihoodRatio: RTest; wald: RTest; score: RTest };
      const rs = (rc as unknown as { stratified?: { logRank: RTest; cox: RCox } }).stratified;
      if (rs !== undefined) {
        const s = stratifiedComparison(fx.rows, strata, strata.map((c) => fx.columns.get(c) ?? []), groups, options);
        m.exact('stratified.strata', s.strata.join(','), strata.join(','));
        chi(m, 'stratified.logRank', s.logRank, rs.logRank, LOGRANK_TOL);
        m.exact('stratified.cox.reference', s.cox.reference, rs.cox.reference);
        m.exact('stratified.cox.ties', s.cox.ties, rs.cox.ties);
        terms(m, 'stratified.cox.terms', s.cox.terms, rs.cox.terms);
        for (const t of ['likelihoodRatio', 'wald', 'score'] as const) chi(m, `stratified.cox.${t}`, s.cox[t], rs.cox[t], COX_TOL);
      }
      for (const rsub of rc.subgroups as unknown as Array<{ variable: string; interaction: RTest | null; levels: unknown[] }>) {
        const sub = subgroupAnalysis(fx.rows, rsub.variable, fx.columns.get(rsub.variable) ?? [], groups, options);
        const p = `subgroups[${rsub.variable}]`;
        m.exact(`${p}.variable`, sub.variable, rsub.variable);
        chi(m, `${p}.interaction`, sub.interaction, rsub.interaction, COX_TOL);
        m.exact(`${p}.levels.length`, sub.levels.length, rsub.levels.length);
        (rsub.levels as Array<{ level: string; n: number; events: number; groups: unknown; cox: { terms: unknown } | null }>).forEach((rl, li) => {
          const l = sub.levels[li];
          const q = `${p}.levels[${rl.level}]`;
          m.exact(`${q}.level`, l?.level, String(rl.level));
          m.exact(`${q}.n`, l?.n, rl.n);
          m.exact(`${q}.events`, l?.events, rl.events);
          col(rl.groups, 'group').forEach((g, gi) => {
            m.exact(`${q}.groups[${gi}].group`, l?.groups[gi]?.group, g);
            m.exact(`${q}.groups[${gi}].n`, l?.groups[gi]?.n, col(rl.groups, 'n')[gi]);
            m.exact(`${q}.groups[${gi}].events`, l?.groups[gi]?.events, col(rl.groups, 'events')[gi]);
          });
          if (rl.cox === null) m.exact(`${q}.cox`, l?.cox, null);
          else terms(m, `${q}.cox.terms`, l?.cox?.terms, rl.cox.terms);
        });
      }
      expect(m.list).toEqual([]);
    },
  );
});

describe('the interaction test agrees with R where R warns or drops aliased terms (seeded random cohorts)', () => {
  test.each(interactionFuzzCases.map((c, i) => [`#${i} ${c.call}`, c] as const))('%s', (_label, rc) => {
    const rows = { time: arr<number>(rc.time), event: arr<number>(rc.status), group: arr<string>(rc.arm) };
    const groups = [...new Set(rows.group)].sort();
    const sub = subgroupAnalysis(rows, 'sub', arr<string>(rc.sub), groups, { ties: rc.ties as Ties });
    const m = new Mismatches();
    chi(m, 'interaction', sub.interaction, rc.interaction as RTest | null, COX_TOL);
    expect(m.list).toEqual([]);
  });
});
