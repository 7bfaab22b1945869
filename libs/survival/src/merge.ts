// The union of several groups' time tables: one row per distinct time over all groups, with
// each group's number at risk and events. The input of the log-rank test and Cox model,
// which compare groups within each risk set; also carries the pooled censorings for the
// reverse Kaplan-Meier follow-up.
import { SurvivalTable } from './table';

export interface MergedTable {
  /** Distinct times over all groups, ascending. */
  readonly time: Float64Array;
  /** nRisk[g][i]: group g's number at risk at time[i]. */
  readonly nRisk: Float64Array[];
  /** nEvent[g][i]: group g's events at time[i]. */
  readonly nEvent: Float64Array[];
  /** Pooled events and censorings at time[i]. */
  readonly totalEvent: Float64Array;
  readonly totalCensor: Float64Array;
}

/** k-way merge of the groups' sorted rows. O(M k) for M distinct times over k groups. */
export function mergeTables(tables: readonly SurvivalTable[]): MergedTable {
  const k = tables.length;
  // Upper bound on M, then trim.
  let bound = 0;
  for (const tb of tables) bound += tb.size;
  const time = new Float64Array(bound);
  const nRisk = tables.map(() => new Float64Array(bound));
  const nEvent = tables.map(() => new Float64Array(bound));
  const totalEvent = new Float64Array(bound);
  const totalCensor = new Float64Array(bound);
  const pos = new Array<number>(k).fill(0);
  const atRisk = tables.map((tb) => tb.n);
  let m = 0;
  for (;;) {
    let next = Infinity;
    for (let g = 0; g < k; g++) {
      const tb = tables[g];
      if (pos[g] < tb.size && tb.times[pos[g]] < next) next = tb.times[pos[g]];
    }
    if (next === Infinity) break;
    time[m] = next;
    for (let g = 0; g < k; g++) {
      const tb = tables[g];
      nRisk[g][m] = atRisk[g];
      if (pos[g] < tb.size && tb.times[pos[g]] === next) {
        const d = tb.eventCounts[pos[g]];
        const c = tb.censorCounts[pos[g]];
        nEvent[g][m] = d;
        totalEvent[m] += d;
        totalCensor[m] += c;
        atRisk[g] -= d + c;
        pos[g]++;
      }
    }
    m++;
  }
  return {
    time: time.subarray(0, m),
    nRisk: nRisk.map((a) => a.subarray(0, m)),
    nEvent: nEvent.map((a) => a.subarray(0, m)),
    totalEvent: totalEvent.subarray(0, m),
    totalCensor: totalCensor.subarray(0, m),
  };
}
