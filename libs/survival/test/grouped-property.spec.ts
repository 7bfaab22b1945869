// Property tests (fast-check): grouped rows with integer counts (what a read model holds: one row
// per cell of arm, stratum, subgroup level, time and status, with how many patients are in it)
// give the figures of the same rows expanded to one per patient, for the stratified comparison,
// the subgroups with their interaction test and the competing-risks block; and the weighted
// estimators (Aalen-Johansen, Gray, Fine-Gray with its robust variance) on collapsed rows equal
// the unweighted ones on the expanded rows, within 1e-9 relative.
import fc from 'fast-check';
import {
  aalenJohansen,
  CohortRows,
  competingRisks,
  CompetingGroupData,
  fineGray,
  grayTest,
  stratifiedComparison,
  subgroupAnalysis,
  SurvivalError,
} from '../src';
import { collapseRows } from '../src/collapse';
import { attempt, closeDeep } from './helpers';

interface Row {
  time: number;
  code: number;
  group: string;
  stratum: string;
  sex: string;
  band: string;
}
const row = fc.record({
  time: fc.integer({ min: 1, max: 12 }), // whole days on a short grid: many ties, many alike rows
  code: fc.constantFrom(0, 1, 1, 2),
  group: fc.constantFrom('a', 'b'),
  stratum: fc.constantFrom('s1', 's2', 's3'),
  sex: fc.constantFrom('F', 'M'),
  band: fc.constantFrom('<75', '>=75', 'x'),
});
const cohortArb = fc.array(row, { minLength: 20, maxLength: 120 });

interface Cell extends Row {
  count: number;
}
/** The rows grouped by every column, with their counts (in first-seen order: order must not matter). */
function cells(rows: readonly Row[]): Cell[] {
  const by = new Map<string, Cell>();
  for (const r of rows) {
    const k = JSON.stringify([r.time, r.code, r.group, r.stratum, r.sex, r.band]);
    const c = by.get(k);
    if (c) c.count++;
    else by.set(k, { ...r, count: 1 });
  }
  return [...by.values()].reverse();
}

const columns = (rows: readonly Row[], count?: number[]): CohortRows => ({
  time: rows.map((r) => r.time),
  event: rows.map((r) => (r.code > 0 ? 1 : 0)),
  group: rows.map((r) => r.group),
  count,
});

const competingOf = (rows: readonly Row[], withCounts: boolean): Map<string, CompetingGroupData> => {
  const m = new Map<string, { times: number[]; codes: number[]; counts: number[] }>();
  const cs = withCounts ? cells(rows) : rows.map((r) => ({ ...r, count: 1 }));
  for (const c of cs) {
    const g = m.get(c.group) ?? m.set(c.group, { times: [], codes: [], counts: [] }).get(c.group)!;
    g.times.push(c.time);
    g.codes.push(c.code);
    g.counts.push(c.count);
  }
  return withCounts ? m : new Map([...m].map(([k, g]) => [k, { times: g.times, codes: g.codes }]));
};

describe('grouped rows (counts) give the figures of the rows expanded', () => {
  it('stratified log-rank and Cox (Efron and Breslow), subgroups with the LR interaction test', () => {
    fc.assert(
      fc.property(cohortArb, fc.constantFrom('efron' as const, 'breslow' as const), (rows, ties) => {
        const grouped = cells(rows);
        const groups = ['a', 'b'];
        const perRow = attempt(() => stratifiedComparison(columns(rows), ['stratum'], [rows.map((r) => r.stratum)], groups, { ties }));
        const byCell = attempt(() =>
          stratifiedComparison(
            columns(
              grouped,
              grouped.map((c) => c.count),
            ),
            ['stratum'],
            [grouped.map((c) => c.stratum)],
            groups,
            { ties },
          ),
        );
        closeDeep(byCell, perRow);
        expect(byCell).toEqual(perRow);
        for (const v of ['sex', 'band'] as const) {
          const a = attempt(() =>
            subgroupAnalysis(
              columns(rows),
              v,
              rows.map((r) => r[v]),
              groups,
              { ties },
            ),
          );
          const b = attempt(() =>
            subgroupAnalysis(
              columns(
                grouped,
                grouped.map((c) => c.count),
              ),
              v,
              grouped.map((c) => c[v]),
              groups,
              { ties },
            ),
          );
          closeDeep(b, a);
          expect(b).toEqual(a);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('the competing-risks block: AJ CIF with SE, Gray, cause-specific Cox, Fine-Gray with robust SE', () => {
    fc.assert(
      fc.property(cohortArb, fc.constantFrom('efron' as const, 'breslow' as const), (rows, ties) => {
        const options = { cause: 1, reference: 'a', ties, at: [3, 7.5, 20], inestimableAsNull: true };
        const perRow = attempt(() => competingRisks(competingOf(rows, false), options));
        const byCell = attempt(() => competingRisks(competingOf(rows, true), options));
        closeDeep(byCell, perRow);
        expect(byCell).toEqual(perRow);
      }),
      { numRuns: 80 },
    );
  });

  it('the weighted estimators on collapsed rows equal the unweighted ones on the expanded rows', () => {
    fc.assert(
      fc.property(cohortArb, (rows) => {
        const expanded = { times: rows.map((r) => r.time), codes: rows.map((r) => r.code), group: rows.map((r) => (r.group === 'a' ? 0 : 1)) };
        const c = [0, 1].map((g) =>
          collapseRows(
            rows.filter((r) => (r.group === 'a' ? 0 : 1) === g).map((r) => r.time),
            rows.filter((r) => (r.group === 'a' ? 0 : 1) === g).map((r) => r.code),
          ),
        );
        const weighted = {
          times: c.flatMap((x) => x.times),
          codes: c.flatMap((x) => x.codes),
          counts: c.flatMap((x) => x.counts),
          group: c.flatMap((x, g) => x.times.map(() => g)),
        };
        closeDeep(
          attempt(() => grayTest(weighted, 2, 1)),
          attempt(() => grayTest(expanded, 2, 1)),
        );
        for (const ties of ['efron', 'breslow'] as const) {
          closeDeep(
            attempt(() => fineGray(weighted, 2, 1, ['a', 'b'], ties)),
            attempt(() => fineGray(expanded, 2, 1, ['a', 'b'], ties)),
          );
        }
        const a = rows.filter((r) => r.group === 'a');
        closeDeep(
          aalenJohansen(c[0].times, c[0].codes, 1, 1.96, c[0].counts),
          aalenJohansen(
            a.map((r) => r.time),
            a.map((r) => r.code),
            1,
            1.96,
          ),
        );
      }),
      { numRuns: 80 },
    );
  });

  it('a count of 0 is no row, and a bad count is an INVALID_OBSERVATION', () => {
    const g = { times: [1, 2, 2, 3], codes: [1, 0, 2, 1], counts: [2, 0, 1, 1] };
    const without = { times: [1, 1, 2, 3], codes: [1, 1, 2, 1] };
    expect(competingRisks(new Map([['x', g]]), { cause: 1 })).toEqual(competingRisks(new Map([['x', without]]), { cause: 1 }));
    expect(() => competingRisks(new Map([['x', { ...g, counts: [1.5, 1, 1, 1] }]]), { cause: 1 })).toThrow(SurvivalError);
  });
});
