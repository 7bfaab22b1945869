// Competing risks by hand and by property (fast-check): hand-computed CIFs and standard errors;
// CIFs over all causes sum to 1 - KM of any event; without censoring the CIF is a proportion
// and its jackknife variance F (1 - F) / n; with a single cause Fine-Gray is the Cox model,
// and without censoring it is the Cox model with competing events kept at risk forever;
// Gray's statistic does not depend on the reference group; row order changes nothing.
import fc from 'fast-check';
import { aalenJohansen, competingRisks, CompetingGroupData, coxFit, mergeTables, SurvivalTable } from '../src';
import { kaplanMeier } from './km-reference';

const Z95 = 1.959963984540054;
const TOL = 1e-12;

const obs = fc.record({
  time: fc.integer({ min: 0, max: 30 }).map((t) => t / 2), // coarse grid: many ties
  code: fc.constantFrom(0, 1, 1, 2, 3),
  group: fc.constantFrom('a', 'b', 'c'),
});
type Obs = { time: number; code: number; group: string };

function byGroup(rows: readonly Obs[]): Map<string, CompetingGroupData> {
  const m = new Map<string, { times: number[]; codes: number[] }>();
  for (const r of rows) {
    const g = m.get(r.group) ?? { times: [], codes: [] };
    g.times.push(r.time);
    g.codes.push(r.code);
    m.set(r.group, g);
  }
  return m;
}

const near = (a: number, b: number, tol = TOL): void => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));

describe('Aalen-Johansen by hand', () => {
  // Times 1 (cause 1), 2 (cause 2), 3 (censored), 4 (cause 1); n = 4.
  const curve = aalenJohansen([1, 2, 3, 4], [1, 2, 0, 1], 1, Z95);
  test('estimates: F(1) = 1/4, F(2) = 1/4, F(4) = 1/4 + S(4-) 1/1 = 3/4', () => {
    expect(curve.rows.map((r) => r.time)).toEqual([1, 2, 4]);
    expect(curve.rows.map((r) => r.nRisk)).toEqual([4, 3, 1]);
    expect(curve.rows.map((r) => r.nEvent)).toEqual([1, 0, 1]);
    expect(curve.rows.map((r) => r.estimate)).toEqual([0.25, 0.25, 0.75]);
    expect(curve.events).toBe(2);
  });
  test('before any censoring the jackknife variance is the binomial F (1 - F) / n', () => {
    // At t = 1 the subject with the event has influence 1/4 - 1/16 = 3/16, the others -1/16:
    // 9/256 + 3/256 = 3/64 = (1/4)(3/4)/4.
    near(curve.rows[0].stdErr, Math.sqrt(3 / 64));
    near(curve.rows[1].stdErr, Math.sqrt(3 / 64));
    // Log limits: F exp(-+ z se / F), the upper capped at 1.
    near(curve.rows[0].lower as number, 0.25 * Math.exp((-Z95 * Math.sqrt(3 / 64)) / 0.25));
    expect(curve.rows[0].upper).toBe(1);
  });
  test('a cause without events: estimate and standard error 0, limits null', () => {
    const none = aalenJohansen([1, 2], [2, 0], 1, Z95);
    expect(none.rows).toEqual([{ time: 1, nRisk: 2, nEvent: 0, estimate: 0, stdErr: 0, lower: null, upper: null }]);
  });
});

describe('competing risks: what cannot be estimated', () => {
  const groups = byGroup([
    { time: 1, code: 1, group: 'a' },
    { time: 2, code: 2, group: 'b' },
    { time: 3, code: 0, group: 'b' },
  ]);
  test('a group without the cause: NO_EVENTS naming the model, or null models with inestimableAsNull', () => {
    expect(() => competingRisks(groups, { cause: 1 })).toThrow(/cause-specific Cox model for cause 1: group 'b' has no events/);
    const out = competingRisks(groups, { cause: 1, inestimableAsNull: true });
    expect([out.causeSpecificCox, out.fineGray]).toEqual([null, null]);
    expect(out.gray).not.toBeNull();
  });
  test('a cause not in the data, or a code that is not a non-negative integer', () => {
    expect(() => competingRisks(groups, { cause: 3 })).toThrow(/cause 3 does not occur; causes present: 1, 2/);
    expect(() => competingRisks(new Map([['a', { times: [1], codes: [1.5] }]]), { cause: 1 })).toThrow(/not a non-negative integer/);
  });
});

describe('competing-risks properties', () => {
  test('CIFs over all causes sum to 1 - KM of any event, at every row', () => {
    fc.assert(
      fc.property(fc.array(obs, { minLength: 1, maxLength: 80 }), (rows) => {
        const times = rows.map((r) => r.time);
        const codes = rows.map((r) => r.code);
        const table = SurvivalTable.fromRows(
          times,
          codes.map((c) => (c > 0 ? 1 : 0)),
        );
        const km = kaplanMeier(table.times, table.eventCounts, table.censorCounts);
        const curves = [1, 2, 3].map((k) => aalenJohansen(times, codes, k, Z95));
        const eventTimes = [...new Set(rows.filter((r) => r.code > 0).map((r) => r.time))].sort((a, b) => a - b);
        curves.forEach((c) => expect(c.rows.map((r) => r.time)).toEqual(eventTimes));
        eventTimes.forEach((t, i) => {
          const s = km.surv[Array.from(km.time).indexOf(t)];
          near(curves[0].rows[i].estimate + curves[1].rows[i].estimate + curves[2].rows[i].estimate, 1 - s);
        });
      }),
    );
  });

  test('without censoring the CIF is the proportion with the cause and se^2 = F (1 - F) / n', () => {
    fc.assert(
      fc.property(
        fc.array(
          obs.map((o) => ({ ...o, code: o.code === 0 ? 2 : o.code })),
          { minLength: 1, maxLength: 60 },
        ),
        (rows) => {
          const curve = aalenJohansen(
            rows.map((r) => r.time),
            rows.map((r) => r.code),
            1,
            Z95,
          );
          for (const row of curve.rows) {
            const f = rows.filter((r) => r.code === 1 && r.time <= row.time).length / rows.length;
            near(row.estimate, f);
            near(row.stdErr * row.stdErr, (f * (1 - f)) / rows.length, 1e-10);
          }
        },
      ),
    );
  });

  test('with no competing event Fine-Gray is the cause-specific Cox model', () => {
    fc.assert(
      fc.property(
        fc.array(
          obs.map((o) => ({ ...o, code: o.code > 1 ? 1 : o.code })),
          { minLength: 4, maxLength: 60 },
        ),
        (rows) => {
          const out = tryRisks(byGroup(rows), 1);
          if (out === null) return;
          out.fineGray?.terms.forEach((t, i) => near(t.coef, out.causeSpecificCox?.terms[i].coef as number, 1e-8));
        },
      ),
    );
  });

  test('without censoring Fine-Gray is the Cox model with competing events at risk forever', () => {
    fc.assert(
      fc.property(
        fc.array(
          obs.map((o) => ({ ...o, code: o.code === 0 ? 2 : o.code })),
          { minLength: 4, maxLength: 60 },
        ),
        (rows) => {
          const out = tryRisks(byGroup(rows), 1);
          if (out === null || out.fineGray === null) return;
          const labels = out.groups.map((g) => g.group);
          const tables = labels.map((label) => {
            const mine = rows.filter((r) => r.group === label);
            return SurvivalTable.fromRows(
              mine.map((r) => (r.code === 1 ? r.time : 1e9)),
              mine.map((r) => (r.code === 1 ? 1 : 0)),
            );
          });
          const fit = coxFit(mergeTables(tables), labels, { ties: 'efron' });
          out.fineGray.terms.forEach((t, i) => near(t.coef, fit.coef[i], 1e-8));
        },
      ),
    );
  });

  test("Gray's statistic does not depend on the reference group; row order changes nothing", () => {
    fc.assert(
      fc.property(fc.array(obs, { minLength: 6, maxLength: 80 }), fc.constantFrom('a', 'b', 'c'), (rows, reference) => {
        const base = tryRisks(byGroup(rows), 1);
        if (base === null || base.gray === null) return;
        const other = tryRisks(byGroup([...rows].reverse()), 1, reference);
        if (other === null || other.gray === null) return;
        near(other.gray.chiSquare, base.gray.chiSquare, 1e-8);
        const shuffled = tryRisks(byGroup([...rows].reverse()), 1);
        expect(shuffled?.groups).toEqual(base.groups);
        near(shuffled?.fineGray?.terms[0]?.coef ?? 0, base.fineGray?.terms[0]?.coef ?? 0, 1e-10);
      }),
    );
  });
});

/** The read-out, or null where the data cannot support it (cause absent, a group without it). */
function tryRisks(groups: Map<string, CompetingGroupData>, cause: number, reference?: string): ReturnType<typeof competingRisks> | null {
  if (reference !== undefined && !groups.has(reference)) return null;
  try {
    return competingRisks(groups, { cause, reference, at: [2, 7.5] });
  } catch (err) {
    if ((err as { name?: string }).name === 'SurvivalError') return null;
    throw err;
  }
}
