import { coxEfron, kaplanMeier, kmQuantile, survivalAt } from './stats';
import { Outcome } from './truth';

const MONTH = 365.25 / 12;

/** The paper's table (BCIS-1 long-term follow-up) and the tolerances of issue 6. */
export const TARGETS = {
  hazardRatio: { paper: 0.66, tolerance: 0.01 },
  ciLower: { paper: 0.44, tolerance: 0.01 },
  ciUpper: { paper: 0.98, tolerance: 0.01 },
  p: { paper: 0.039, tolerance: 0.002 },
  followUpMedianMonths: { paper: 51, tolerance: 1.5 },
  followUpQ1Months: { paper: 41, tolerance: 1.5 },
  followUpQ3Months: { paper: 58, tolerance: 1.5 },
  ratePer100PyIABP: { paper: 7.9, tolerance: 0.3 },
  ratePer100PyControl: { paper: 12.1, tolerance: 0.3 },
  sixMonthMortalityIABP: { paper: 0.046, tolerance: 0.005 },
  sixMonthMortalityControl: { paper: 0.074, tolerance: 0.005 },
} as const;

export type TargetName = keyof typeof TARGETS;
export type Readout = Record<TargetName, number> & { deathsIABP: number; deathsControl: number };

/** The read-out the pipeline should end on, from the per-patient (time, status, arm). */
export function readout(outcomes: Outcome[]): Readout {
  const cox = coxEfron(outcomes.map((o) => ({ time: o.time, status: o.status, x: o.arm === 'IABP' ? 1 : 0 })));
  const reverse = kaplanMeier(outcomes.map((o) => ({ time: o.time, status: 1 - o.status })));
  const fu = (p: number): number => (kmQuantile(reverse, p) ?? NaN) / MONTH;
  const arm = (a: string): Outcome[] => outcomes.filter((o) => o.arm === a);
  const rate = (os: Outcome[]): number => (100 * os.filter((o) => o.status === 1).length) / (os.reduce((s, o) => s + o.time, 0) / 365.25);
  const sixMonths = (os: Outcome[]): number => 1 - survivalAt(kaplanMeier(os), 182);
  return {
    hazardRatio: cox.hr,
    ciLower: cox.lower,
    ciUpper: cox.upper,
    p: cox.p,
    followUpMedianMonths: fu(0.5),
    followUpQ1Months: fu(0.25),
    followUpQ3Months: fu(0.75),
    ratePer100PyIABP: rate(arm('IABP')),
    ratePer100PyControl: rate(arm('control')),
    sixMonthMortalityIABP: sixMonths(arm('IABP')),
    sixMonthMortalityControl: sixMonths(arm('control')),
    deathsIABP: arm('IABP').filter((o) => o.status === 1).length,
    deathsControl: arm('control').filter((o) => o.status === 1).length,
  };
}

/** Targets missed, each scaled by its tolerance; `margin` below 1 asks for headroom against R's rounding. */
export function misses(r: Readout, margin = 1): string[] {
  return (Object.keys(TARGETS) as TargetName[])
    .filter((k) => !(Math.abs(r[k] - TARGETS[k].paper) <= TARGETS[k].tolerance * margin))
    .map((k) => `${k} ${r[k].toFixed(4)} (paper ${TARGETS[k].paper})`);
}

/** Distance from the paper, in tolerances: the seed search keeps the smallest. */
export function distance(r: Readout): number {
  return (Object.keys(TARGETS) as TargetName[]).reduce((s, k) => s + ((r[k] - TARGETS[k].paper) / TARGETS[k].tolerance) ** 2, 0);
}
