// The Kaplan-Meier estimate, its pointwise limits and a curve's band written the plain way,
// one function each as R survival 3.5 computes them: the reference computeReadout's one-pass
// group read-out is property-tested against (readout-reference.spec.ts), since readout.ts
// says it matches them operation for operation. Test code: nothing in production calls them.
import { confLimitsInto, type ConfType, type KmCurve } from '../src/km';

/**
 * Kaplan-Meier product-limit estimate with Greenwood's variance.
 * Method: S(t) = prod over event times t_i <= t of (1 - d_i / n_i); var(log S) = sum of
 * d_i / (n_i (n_i - d_i)) (Greenwood 1926), infinite once n_i = d_i. Censorings tied with an
 * event at t_i count as at risk at t_i (censoring after death), as R does.
 * Assumes right-censored data, times ascending and distinct (a SurvivalTable's rows).
 * Reference: R survival 3.5 survfit(Surv(time, status) ~ 1) (survfitkm.c); Kaplan & Meier 1958.
 * Cost O(m).
 */
export function kaplanMeier(
  time: ArrayLike<number>,
  nEvent: ArrayLike<number>,
  nCensor: ArrayLike<number>,
): KmCurve {
  const m = time.length;
  let n = 0;
  for (let i = 0; i < m; i++) n += nEvent[i] + nCensor[i];
  const nRisk = new Float64Array(m);
  const surv = new Float64Array(m);
  const varLog = new Float64Array(m);
  let atRisk = n;
  let s = 1;
  let v = 0;
  for (let i = 0; i < m; i++) {
    const d = nEvent[i];
    nRisk[i] = atRisk;
    if (d > 0) {
      s *= (atRisk - d) / atRisk;
      v = atRisk > d ? v + d / (atRisk * (atRisk - d)) : Infinity;
    }
    surv[i] = s;
    varLog[i] = v;
    atRisk -= d + nCensor[i];
  }
  return { n, time, nRisk, nEvent, nCensor, surv, varLog };
}

/**
 * Pointwise confidence limits for S(t) from the standard error of log S (seLog).
 * Method: log: S exp(-+ z se); log-log: exp(-exp(log(-log S) -+ z se / log S)); plain:
 * S -+ z S se. Limits capped to [0, 1] as R does (log-log needs no cap). Undefined (null) where
 * R gives NA or NaN: S = 0 for every type, and S = 1 for log-log.
 * Reference: R survival 3.5 survfit_confint (the same arithmetic, so results agree to rounding).
 * Cost O(1); allocates the returned pair.
 */
export function confLimits(
  s: number,
  seLog: number,
  confType: ConfType,
  z: number,
): [number | null, number | null] {
  confLimitsInto(s, seLog, confType, z, pairLower, pairUpper, 0);
  const lower = pairLower[0];
  const upper = pairUpper[0];
  return [Number.isNaN(lower) ? null : lower, Number.isNaN(upper) ? null : upper];
}

const pairLower = new Float64Array(1);
const pairUpper = new Float64Array(1);

/** Confidence band of a whole curve; NaN marks an undefined limit.
 *  Rows without events repeat the previous limits, so only event rows are computed. O(m). */
export function confBand(curve: KmCurve, confType: ConfType, z: number): { lower: Float64Array; upper: Float64Array } {
  const m = curve.surv.length;
  const lower = new Float64Array(m);
  const upper = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    if (i > 0 && curve.nEvent[i] === 0) {
      lower[i] = lower[i - 1];
      upper[i] = upper[i - 1];
      continue;
    }
    confLimitsInto(curve.surv[i], Math.sqrt(curve.varLog[i]), confType, z, lower, upper, i);
  }
  return { lower, upper };
}

