/**
 * Just enough survival statistics to search for a seed and to record what the data set gives:
 * Cox (Efron ties) for one binary covariate, Kaplan-Meier, reverse Kaplan-Meier quantiles the
 * way R's quantile.survfit takes them, and crude rates. R (check-targets.R) remains the referee.
 */

export interface Obs {
  time: number;
  status: 0 | 1;
  /** 1 for the experimental arm, 0 for the reference arm. */
  x: 0 | 1;
}

export interface CoxFit {
  hr: number;
  lower: number;
  upper: number;
  p: number;
}

export function coxEfron(obs: readonly Obs[]): CoxFit {
  const times = [...new Set(obs.filter((o) => o.status === 1).map((o) => o.time))].sort((a, b) => a - b);
  let beta = 0;
  let info = 1;
  for (let iter = 0; iter < 50; iter++) {
    const e = Math.exp(beta);
    let score = 0;
    info = 0;
    for (const t of times) {
      let s0 = 0;
      let s1 = 0;
      let d0 = 0;
      let d1 = 0;
      let d = 0;
      for (const o of obs) {
        if (o.time < t) continue;
        const w = o.x === 1 ? e : 1;
        s0 += w;
        s1 += o.x * w;
        if (o.time === t && o.status === 1) {
          d += 1;
          d0 += w;
          d1 += o.x * w;
          score += o.x;
        }
      }
      for (let l = 0; l < d; l++) {
        const a = s0 - (l / d) * d0;
        const b = s1 - (l / d) * d1; // x is 0/1, so x² sums equal x sums
        score -= b / a;
        info += b / a - (b / a) ** 2;
      }
    }
    const step = score / info;
    beta += step;
    if (Math.abs(step) < 1e-10) break;
  }
  const se = 1 / Math.sqrt(info);
  const z = beta / se;
  return { hr: Math.exp(beta), lower: Math.exp(beta - 1.959964 * se), upper: Math.exp(beta + 1.959964 * se), p: 2 * (1 - normalCdf(Math.abs(z))) };
}

/** Kaplan-Meier steps: (time, survival just after time), at every time where an event happens. */
export function kaplanMeier(obs: ReadonlyArray<{ time: number; status: number }>): Array<[number, number]> {
  const times = [...new Set(obs.map((o) => o.time))].sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  let s = 1;
  for (const t of times) {
    const atRisk = obs.filter((o) => o.time >= t).length;
    const d = obs.filter((o) => o.time === t && o.status === 1).length;
    s *= 1 - d / atRisk;
    out.push([t, s]);
  }
  return out;
}

export function survivalAt(curve: Array<[number, number]>, t: number): number {
  let s = 1;
  for (const [time, surv] of curve) if (time <= t) s = surv;
  return s;
}

/** Quantile of a KM curve as R takes it: the first time it falls below 1 - p; midway if it sits exactly on it. */
export function kmQuantile(curve: Array<[number, number]>, p: number): number | null {
  const target = 1 - p;
  for (let i = 0; i < curve.length; i++) {
    const [t, s] = curve[i];
    if (Math.abs(s - target) < 1e-8) return i + 1 < curve.length ? (t + curve[i + 1][0]) / 2 : t;
    if (s < target) return t;
  }
  return null;
}

/** Standard normal CDF via erfc (Numerical Recipes' erfcc, relative error below 1.2e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}
