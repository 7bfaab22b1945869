// Property tests (fast-check): KM is non-increasing within [0, 1]; adding then removing an
// observation restores the read-out; the order of the rows does not change it; the
// incremental table equals the bulk-loaded one; a read-out that reuses unchanged groups equals
// one computed from scratch; the read-out's merged risk sets give what mergeTables gives.
import fc from 'fast-check';
import { computeReadout, coxFit, logRankTest, mergeTables, orderGroups, SurvivalTable, SurvivalReadout, EventFlag } from '../src';

const obs = fc.record({
  time: fc.integer({ min: 0, max: 40 }).map((t) => t / 2), // coarse grid: many ties
  event: fc.constantFrom<EventFlag>(0, 1),
  group: fc.constantFrom('a', 'b', 'c'),
});

function tables(rows: ReadonlyArray<{ time: number; event: EventFlag; group: string }>): Map<string, SurvivalTable> {
  const m = new Map<string, SurvivalTable>();
  for (const r of rows) {
    const t = m.get(r.group) ?? new SurvivalTable();
    t.add(r.time, r.event);
    m.set(r.group, t);
  }
  return m;
}

/** The read-out, or the error code when the data cannot support it (e.g. a group without events). */
function readOrCode(m: Map<string, SurvivalTable>): SurvivalReadout | string {
  try {
    return computeReadout(m, { at: [3, 7.5], tau: 10, confType: 'log-log', confLevel: 0.9 });
  } catch (err) {
    return (err as { code?: string }).code ?? 'unknown';
  }
}

describe('properties', () => {
  test('KM is non-increasing and within [0, 1]; limits bracket it', () => {
    fc.assert(
      fc.property(fc.array(obs, { minLength: 1, maxLength: 60 }), (rows) => {
        const r = computeReadout(tables(rows.map((x) => ({ ...x, group: 'g' }))));
        let prev = 1;
        for (const k of r.groups[0].km) {
          expect(k.survival).toBeGreaterThanOrEqual(0);
          expect(k.survival).toBeLessThanOrEqual(prev);
          if (k.lower !== null) expect(k.lower).toBeLessThanOrEqual(k.survival + 1e-12);
          if (k.upper !== null) expect(k.upper).toBeGreaterThanOrEqual(k.survival - 1e-12);
          prev = k.survival;
        }
      }),
    );
  });

  test('adding then removing an observation returns the same read-out', () => {
    fc.assert(
      fc.property(fc.array(obs, { minLength: 1, maxLength: 60 }), obs, (rows, extra) => {
        const m = tables(rows);
        const before = readOrCode(m);
        const t = m.get(extra.group) ?? new SurvivalTable();
        m.set(extra.group, t);
        t.add(extra.time, extra.event);
        t.remove(extra.time, extra.event);
        if (t.n === 0) m.delete(extra.group);
        expect(readOrCode(m)).toEqual(before);
      }),
    );
  });

  test('row order does not change the read-out, and incremental equals bulk load', () => {
    fc.assert(
      fc.property(
        fc
          .array(obs, { minLength: 1, maxLength: 60 })
          .chain((rows) => fc.tuple(fc.constant(rows), fc.shuffledSubarray(rows, { minLength: rows.length }))),
        ([rows, shuffled]) => {
          const bulk = new Map<string, SurvivalTable>();
          for (const g of new Set(rows.map((r) => r.group))) {
            const mine = rows.filter((r) => r.group === g);
            bulk.set(
              g,
              SurvivalTable.fromRows(
                mine.map((r) => r.time),
                mine.map((r) => r.event),
              ),
            );
          }
          const a = readOrCode(tables(rows));
          expect(readOrCode(tables(shuffled))).toEqual(a);
          expect(readOrCode(bulk)).toEqual(a);
        },
      ),
    );
  });

  test('a Cox warm start converges to the cold-start fit', () => {
    fc.assert(
      fc.property(fc.array(obs, { minLength: 10, maxLength: 80 }), fc.double({ min: -1, max: 1, noNaN: true }), (rows, shift) => {
        const m = tables(rows);
        const cold = readOrCode(m);
        if (typeof cold === 'string' || cold.cox === null) return;
        const init = new Map(cold.cox.terms.map((t) => [t.group, t.coef + shift * 0.1]));
        const warm = computeReadout(m, { at: [3, 7.5], tau: 10, confType: 'log-log', confLevel: 0.9, coxInit: init });
        cold.cox.terms.forEach((t, i) =>
          expect(Math.abs((warm.cox?.terms[i].coef ?? NaN) - t.coef)).toBeLessThan(1e-6 * Math.max(1, Math.abs(t.coef))),
        );
        expect(warm.cox?.score).toEqual(cold.cox.score);
      }),
    );
  });

  test('a read-out reusing unchanged groups equals one from fresh copies of the tables', () => {
    const step = fc.record({ obs, remove: fc.boolean(), confType: fc.constantFrom('log' as const, 'plain' as const), tau: fc.constantFrom(5, 10) });
    fc.assert(
      fc.property(fc.array(obs, { minLength: 1, maxLength: 60 }), fc.array(step, { maxLength: 8 }), (rows, steps) => {
        const m = tables(rows);
        const read = (x: Map<string, SurvivalTable>, confType: 'log' | 'plain', tau: number): SurvivalReadout | string => {
          try {
            return computeReadout(x, { at: [3, 7.5], tau, confType });
          } catch (err) {
            return (err as { code?: string }).code ?? 'unknown';
          }
        };
        for (const s of steps) {
          const t = m.get(s.obs.group) ?? new SurvivalTable();
          m.set(s.obs.group, t);
          if (s.remove && t.size > 0) t.remove(t.times[0], t.eventCounts[0] > 0 ? 1 : 0);
          else t.add(s.obs.time, s.obs.event);
          if (t.n === 0) m.delete(s.obs.group);
          const copies = new Map([...m].map(([g, tb]) => [g, tb.clone()] as const));
          expect(read(m, s.confType, s.tau)).toEqual(read(copies, s.confType, s.tau));
        }
      }),
    );
  });

  test('log-rank and Cox of the read-out equal those of mergeTables', () => {
    fc.assert(
      fc.property(fc.array(obs, { minLength: 1, maxLength: 60 }), (rows) => {
        const m = tables(rows);
        const r = readOrCode(m);
        if (typeof r === 'string' || r.cox === null || r.logRank === null) return;
        const labels = orderGroups(m.keys());
        const merged = mergeTables(labels.map((g) => m.get(g) as SurvivalTable));
        expect(r.logRank).toEqual(logRankTest(merged));
        const fit = coxFit(merged, labels, { ties: 'efron' });
        expect(r.cox.terms.map((t) => t.coef)).toEqual(fit.coef);
      }),
    );
  });
});
