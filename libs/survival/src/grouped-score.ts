// Score residuals of a Cox model for a group factor on grouped (possibly weighted) risk sets,
// the pieces of the robust variance (fine-gray.ts).
import { Ties } from './cox';
import { MergedTable } from './merge';

/**
 * Score residual pieces of a Cox model on grouped risk sets (agscore2): at event time e, a
 * subject of group h at risk that does not die there gets nonDeath[h][e], one that dies gets
 * death[h][e]. Covariate of group h: the indicator e_h (the reference group: 0).
 */
export function scoreResiduals(table: MergedTable, beta: readonly number[], ties: Ties): { nonDeath: number[][][]; death: number[][][] } {
  const k = table.nRisk.length;
  const p = k - 1;
  const risk = [1, ...beta.map(Math.exp)];
  const x = (h: number, j: number): number => (h === j + 1 ? 1 : 0);
  const nonDeath: number[][][] = Array.from({ length: k }, () => []);
  const death: number[][][] = Array.from({ length: k }, () => []);
  for (let e = 0; e < table.time.length; e++) {
    let denom = 0;
    let eDenom = 0;
    const a = new Array<number>(p).fill(0);
    const a2 = new Array<number>(p).fill(0);
    for (let h = 0; h < k; h++) {
      denom += risk[h] * table.nRisk[h][e];
      eDenom += risk[h] * table.nEvent[h][e];
      if (h > 0) {
        a[h - 1] = risk[h] * table.nRisk[h][e];
        a2[h - 1] = risk[h] * table.nEvent[h][e];
      }
    }
    const d = table.totalEvent[e];
    if (d < 2 || ties === 'breslow') {
      const hazard = d / denom;
      const mean = a.map((ai) => ai / denom);
      for (let h = 0; h < k; h++) {
        nonDeath[h].push(mean.map((mj, j) => -(x(h, j) - mj) * risk[h] * hazard));
        death[h].push(mean.map((mj, j) => -(x(h, j) - mj) * risk[h] * hazard + (x(h, j) - mj)));
      }
      continue;
    }
    let temp1 = 0;
    let temp2 = 0;
    const mh1 = new Array<number>(p).fill(0);
    const mh2 = new Array<number>(p).fill(0);
    const mh3 = new Array<number>(p).fill(0);
    for (let dd = 0; dd < d; dd++) {
      const downwt = dd / d;
      const d2 = denom - downwt * eDenom;
      const hazard = 1 / d2;
      temp1 += hazard;
      temp2 += (1 - downwt) * hazard;
      for (let j = 0; j < p; j++) {
        const mean = (a[j] - downwt * a2[j]) / d2;
        mh1[j] += mean * hazard;
        mh2[j] += mean * (1 - downwt) * hazard;
        mh3[j] += mean / d;
      }
    }
    for (let h = 0; h < k; h++) {
      nonDeath[h].push(mh1.map((m1, j) => -risk[h] * (x(h, j) * temp1 - m1)));
      death[h].push(mh3.map((m3, j) => x(h, j) - m3 - risk[h] * x(h, j) * temp2 + risk[h] * mh2[j]));
    }
  }
  return { nonDeath, death };
}

export function zeros(p: number): number[][] {
  return Array.from({ length: p }, () => new Array<number>(p).fill(0));
}

export function multiply(a: readonly number[][], b: readonly number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, x, l) => s + x * b[l][j], 0)));
}
