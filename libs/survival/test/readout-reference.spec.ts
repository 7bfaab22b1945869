// readout.ts computes a group's curve in one pass and says its arithmetic is kaplanMeier's,
// confBand's and survStdErr's, operation for operation. This holds it to that: for any table,
// every km row equals the plain reference (km-reference.ts) to the last bit (toBe, not a
// tolerance), for each confidence type.
import fc from 'fast-check';
import { computeReadout, confZ, SurvivalTable, type ConfType, type EventFlag } from '../src';
import { survStdErr } from '../src/km';
import { confBand, confLimits, kaplanMeier } from './km-reference';

const obs = fc.record({
  time: fc.integer({ min: 0, max: 60 }).map((t) => t / 4),
  event: fc.constantFrom<EventFlag>(0, 1),
});
const nullIfNaN = (x: number): number | null => (Number.isNaN(x) ? null : x);

describe('computeReadout against the plain Kaplan-Meier reference (property)', () => {
  it.each<ConfType>(['log', 'log-log', 'plain'])('gives the reference curve, errors and %s limits bit for bit', (confType) => {
    fc.assert(
      fc.property(fc.array(obs, { minLength: 1, maxLength: 80 }), fc.constantFrom(0.8, 0.9, 0.95), (rows, confLevel) => {
        const table = new SurvivalTable();
        for (const r of rows) table.add(r.time, r.event);
        const [group] = computeReadout(new Map([['g', table]]), { confType, confLevel }).groups;
        const curve = kaplanMeier(table.times, table.eventCounts, table.censorCounts);
        const band = confBand(curve, confType, confZ(confLevel));
        expect(group.km.map((k) => k.time)).toEqual(Array.from(curve.time));
        group.km.forEach((k, i) => {
          expect(k.nRisk).toBe(curve.nRisk[i]);
          expect(k.survival).toBe(curve.surv[i]);
          // Rows without events repeat the last event row's figures (the band does the same).
          let e = i;
          while (e > 0 && curve.nEvent[e] === 0) e--;
          expect(k.stdErr).toBe(survStdErr(curve.surv[e], curve.varLog[e]));
          expect([k.lower, k.upper]).toEqual([nullIfNaN(band.lower[i]), nullIfNaN(band.upper[i])]);
          const limits = confLimits(curve.surv[i], Math.sqrt(curve.varLog[i]), confType, confZ(confLevel));
          if (curve.nEvent[i] > 0) expect([k.lower, k.upper]).toEqual(limits);
        });
      }),
      { numRuns: 300 },
    );
  });
});
