// Agreement with R survival 3.5 of the stratified log-rank test and Cox model, the per-level
// Cox models and the LR interaction test (contract stats-cli.md part 2) on R's own data sets
// (colon, veteran, pbc, lung), hand-made cases and seeded random small cohorts where R warns
// (infinite coefficients, out of iterations) or drops aliased terms: counts exactly, log-rank to 1e-9 relative,
// every Cox and interaction figure to 1e-6 relative. The expected numbers and the R call
// beside each are in strata-reference.ts (regenerate: `Rscript libs/survival/test/strata-reference.R`).
import { stratifiedComparison, subgroupAnalysis, Ties } from '../src';
import { arr } from './helpers';
import { COX_TOL, RTest, StrataChecker } from './strata-check';
import { Deviations, loadStrataFixture } from './strata-helpers';
import { interactionFuzzCases, strataCases } from './strata-reference';

const dev = new Deviations();

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
      const check = new StrataChecker(dev);
      const strata = arr(rc.options.strata as string | string[] | null);
      const stratified =
        strata.length > 0
          ? stratifiedComparison(
              fx.rows,
              strata,
              strata.map((c) => fx.columns.get(c) ?? []),
              groups,
              options,
            )
          : undefined;
      check.stratified(stratified, rc);
      const variables = arr(rc.options.subgroups as string | string[] | null);
      check.subgroups(
        variables.map((v) => subgroupAnalysis(fx.rows, v, fx.columns.get(v) ?? [], groups, options)),
        rc,
      );
      expect(check.m.list).toEqual([]);
    },
  );
});

describe('the interaction test agrees with R where R warns or drops aliased terms (seeded random cohorts)', () => {
  test.each(interactionFuzzCases.map((c, i) => [`#${i} ${c.call}`, c] as const))('%s', (_label, rc) => {
    const rows = { time: arr<number>(rc.time), event: arr<number>(rc.status), group: arr<string>(rc.arm) };
    const groups = [...new Set(rows.group)].sort();
    const sub = subgroupAnalysis(rows, 'sub', arr<string>(rc.sub), groups, { ties: rc.ties as Ties });
    const check = new StrataChecker(dev);
    check.chi('interaction', sub.interaction, rc.interaction as RTest | null, COX_TOL);
    expect(check.m.list).toEqual([]);
  });
});
