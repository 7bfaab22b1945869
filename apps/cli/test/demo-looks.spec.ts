// The demo's DSMB looks: due at the planned fractions of the planned deaths,
// and the final table's lines read from each look's frozen report.
import { lookDue, lookRows, type FrozenLookBody } from '../src/demo/looks';
import { formatPaperTable, PAPER } from '../src/demo/paper-table';

const planned = [0.25, 0.5, 0.75, 1];
const at = (deaths: number, looksTaken: number, prospective = true) => ({ plannedEvents: 100, deaths, looksTaken, prospective });

describe('demo looks', () => {
  it('takes the next planned look once its fraction of the planned deaths is reached, and only then', () => {
    expect(lookDue(planned, at(24, 0))).toBe(false);
    expect(lookDue(planned, at(26, 0))).toBe(true);
    expect(lookDue(planned, at(49, 1))).toBe(false);
    expect(lookDue(planned, at(100, 3))).toBe(true);
    expect(lookDue(planned, at(100, 4))).toBe(false);
    expect(lookDue(planned, at(60, 1, false))).toBe(false);
  });

  it('prints each look from its frozen report', () => {
    const look: FrozenLookBody = {
      taken: {
        v: 1,
        type: 'InterimLookTaken',
        eventId: 'e',
        trialId: 'BCIS-1',
        look: 1,
        asOf: '2026-01-01T00:00:00.000Z',
        dataCutoff: null,
        events: 26,
        z: -1.234,
        takenBy: 'demo-dsmb',
        takenAt: '2026-01-01T00:00:01.000Z',
      },
      report: {
        plannedEvents: 100,
        alpha: 0.05,
        sided: 2,
        spending: 'obrien-fleming',
        futility: 'none',
        conditionalRejectionProbability: 0.1,
        final: null,
        looks: [
          {
            look: 1,
            info: 0.26,
            taken: true,
            events: 26,
            z: -1.234,
            efficacyZ: 4.2,
            futilityZ: null,
            cumulativeAlpha: 0.0001,
            action: 'continue',
            repeatedCi: { lower: 0.21, upper: 2.5 },
            repeatedP: 0.5,
          },
        ],
      },
      unavailable: null,
    };
    const rows = lookRows([look]);
    expect(rows).toEqual([['DSMB look 1 (frozen)', '26 deaths, z -1.23 vs bound -4.20: continue, HR RCI 0.21-2.50']]);
    expect(formatPaperTable(PAPER, PAPER, rows).split('\n').pop()).toMatch(/^ {2}DSMB look 1 \(frozen\) +26 deaths, z -1\.23/);
  });
});
