// Property tests (fast-check) of the stratified comparison and the subgroups: one stratum is
// the unstratified comparison; relabelling the strata or reordering the rows changes nothing;
// without tied deaths the stratified Cox score test is the stratified log-rank test; subgroup
// levels partition the cohort, and a single level is the whole cohort's Cox model; the general
// categorical-design Cox with group dummies is the group-factor Cox.
import fc from 'fast-check';
import { CohortRows, computeReadout, coxFit, coxFitCells, mergeTables, stratifiedComparison, subgroupAnalysis, SurvivalTable } from '../src';
import { attempt, closeDeep } from './helpers';

interface Row {
  time: number;
  event: number;
  group: string;
  stratum: string;
}
const row = fc.record({
  time: fc.integer({ min: 0, max: 30 }).map((t) => t / 2), // coarse grid: many ties
  event: fc.constantFrom(0, 1, 1),
  group: fc.constantFrom('a', 'b', 'c'),
  stratum: fc.constantFrom('s1', 's2', 's3'),
});
const cohortArb = fc.array(row, { minLength: 8, maxLength: 60 });

const columns = (rows: readonly Row[]): CohortRows => ({
  time: rows.map((r) => r.time),
  event: rows.map((r) => r.event),
  group: rows.map((r) => r.group),
});
const groupsOf = (rows: readonly Row[]): string[] => [...new Set(rows.map((r) => r.group))].sort();

/** One SurvivalTable per group: the unstratified read-out's input. */
const tablesOf = (rows: readonly Row[], groups: readonly string[]): Map<string, SurvivalTable> =>
  new Map(
    groups.map((g) => {
      const mine = rows.filter((r) => r.group === g);
      return [
        g,
        SurvivalTable.fromRows(
          mine.map((r) => r.time),
          mine.map((r) => r.event),
        ),
      ] as const;
    }),
  );

describe('stratified comparison: properties', () => {
  test('one stratum is the unstratified log-rank test and Cox model', () => {
    fc.assert(
      fc.property(cohortArb, (rows) => {
        const groups = groupsOf(rows);
        fc.pre(groups.length >= 2);
        const plain = attempt(() => computeReadout(tablesOf(rows, groups)));
        const strat = attempt(() => stratifiedComparison(columns(rows), ['one'], [rows.map(() => 'x')], groups));
        expect(strat === null).toBe(plain === null);
        if (plain === null || strat === null) return;
        expect(strat.logRank).toEqual(plain.logRank);
        expect(strat.cox).toEqual(plain.cox);
      }),
      { numRuns: 150 },
    );
  });

  test('relabelling the strata and reordering the rows change nothing', () => {
    fc.assert(
      fc.property(cohortArb, fc.integer(), (rows, seed) => {
        const groups = groupsOf(rows);
        fc.pre(groups.length >= 2);
        const base = attempt(() => stratifiedComparison(columns(rows), ['site'], [rows.map((r) => r.stratum)], groups));
        // Relabel (reversing the strata's sort order) and rotate the rows.
        const relabel: Record<string, string> = { s1: 'z', s2: 'm', s3: 'a' };
        const shift = Math.abs(seed) % rows.length;
        const moved = [...rows.slice(shift), ...rows.slice(0, shift)];
        const other = attempt(() => stratifiedComparison(columns(moved), ['site'], [moved.map((r) => relabel[r.stratum])], groups));
        expect(other === null).toBe(base === null);
        if (base !== null && other !== null) closeDeep(other, base);
      }),
      { numRuns: 150 },
    );
  });

  test('without tied deaths, the stratified Cox score test equals the stratified log-rank test', () => {
    const distinct = fc.array(row, { minLength: 8, maxLength: 50 }).map((rows) => rows.map((r, i) => ({ ...r, time: i + r.time / 100 })));
    fc.assert(
      fc.property(distinct, (rows) => {
        const groups = groupsOf(rows);
        fc.pre(groups.length >= 2);
        const s = attempt(() => stratifiedComparison(columns(rows), ['site'], [rows.map((r) => r.stratum)], groups));
        if (s === null) return;
        expect(Math.abs(s.cox.score.chiSquare - s.logRank.chiSquare)).toBeLessThanOrEqual(1e-9 * Math.max(1, s.logRank.chiSquare));
      }),
      { numRuns: 150 },
    );
  });
});

describe('subgroups: properties', () => {
  test('levels partition the cohort; each lists every group in order', () => {
    fc.assert(
      fc.property(cohortArb, (rows) => {
        const groups = groupsOf(rows);
        fc.pre(groups.length >= 2);
        const sub = attempt(() =>
          subgroupAnalysis(
            columns(rows),
            'site',
            rows.map((r) => r.stratum),
            groups,
          ),
        );
        if (sub === null) return;
        expect(sub.levels.map((l) => l.level)).toEqual([...new Set(rows.map((r) => r.stratum))].sort());
        expect(sub.levels.reduce((s, l) => s + l.n, 0)).toBe(rows.length);
        expect(sub.levels.reduce((s, l) => s + l.events, 0)).toBe(rows.filter((r) => r.event === 1).length);
        for (const l of sub.levels) {
          expect(l.groups.map((g) => g.group)).toEqual(groups);
          if (l.groups.some((g) => g.n === 0 || g.events === 0)) expect(l.cox).toBeNull();
        }
        if (sub.interaction) expect(sub.interaction.chiSquare).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 150 },
    );
  });

  // Where every arm-by-level cell has a death: with an empty or death-free cell the coefficients
  // are infinite or aliased, and which columns R (and so the library) keeps depends on the order.
  test('relabelling the levels and reordering the rows leave the interaction test and the HRs unchanged', () => {
    fc.assert(
      fc.property(cohortArb, fc.integer(), (rows, seed) => {
        const groups = groupsOf(rows);
        fc.pre(groups.length >= 2);
        const levels = [...new Set(rows.map((r) => r.stratum))];
        if (!groups.every((g) => levels.every((l) => rows.some((r) => r.group === g && r.stratum === l && r.event === 1)))) return;
        const base = attempt(() =>
          subgroupAnalysis(
            columns(rows),
            'site',
            rows.map((r) => r.stratum),
            groups,
          ),
        );
        const relabel: Record<string, string> = { s1: 'z', s2: 'm', s3: 'a' };
        const shift = Math.abs(seed) % rows.length;
        const moved = [...rows.slice(shift), ...rows.slice(0, shift)];
        const other = attempt(() =>
          subgroupAnalysis(
            columns(moved),
            'site',
            moved.map((r) => relabel[r.stratum]),
            groups,
          ),
        );
        expect(other === null).toBe(base === null);
        if (base === null || other === null) return;
        closeDeep(other.interaction, base.interaction, 1e-7);
        for (const l of base.levels) {
          const o = other.levels.find((x) => x.level === relabel[l.level]);
          closeDeep(o?.cox ?? null, l.cox, 1e-7);
        }
      }),
      { numRuns: 150 },
    );
  });

  test('a single level is the whole cohort: its Cox terms are the overall ones', () => {
    fc.assert(
      fc.property(cohortArb, (rows) => {
        const groups = groupsOf(rows);
        fc.pre(groups.length >= 2);
        const plain = attempt(() => computeReadout(tablesOf(rows, groups)));
        if (plain === null || plain.cox === null) return;
        const sub = subgroupAnalysis(
          columns(rows),
          'all',
          rows.map(() => 'x'),
          groups,
        );
        expect(sub.interaction).toBeNull();
        expect(sub.levels[0].cox?.terms).toEqual(plain.cox.terms);
      }),
      { numRuns: 150 },
    );
  });
});

describe('categorical-design Cox: properties', () => {
  test('with group dummies as the design it is coxFit of the group factor, both ties methods', () => {
    fc.assert(
      fc.property(cohortArb, fc.constantFrom('efron' as const, 'breslow' as const), (rows, ties) => {
        const groups = groupsOf(rows);
        fc.pre(groups.length >= 2);
        const tables = groups.map((g) => {
          const mine = rows.filter((r) => r.group === g);
          return SurvivalTable.fromRows(
            mine.map((r) => r.time),
            mine.map((r) => r.event),
          );
        });
        const merged = mergeTables(tables);
        const plain = attempt(() => coxFit(merged, groups, { ties }));
        if (plain === null) return;
        const x = groups.map((_, g) => groups.slice(1).map((__, j) => (g === j + 1 ? 1 : 0)));
        const cells = coxFitCells({ x, strata: [merged] }, { ties });
        expect(cells.kept.every(Boolean)).toBe(true);
        closeDeep({ ...cells.fit, iterations: 0 }, { ...plain, iterations: 0 });
      }),
      { numRuns: 150 },
    );
  });
});
