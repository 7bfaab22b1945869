// Cox models whose covariates are all categorical (arm, subgroup level and their interaction):
// every patient falls into one of C cells, and the cell fixes the covariate vector x_c. A risk
// set is then summarised by each cell's numbers at risk and deaths, as cox.ts does for the
// group factor alone, so one evaluation costs O(M C p^2) over the merged cell table instead of
// per-patient sums; the Newton-Raphson iteration is coxnewton.ts's (maximise).
import type { CoxFit, CoxOptions, Evaluation, Ties } from './cox';
import { maximise, sumEvaluations } from './coxnewton';
import { ldl } from './ldl';
import { SurvivalError } from './errors';
import { MergedTable } from './merge';

export interface CellModel {
  /** x[c]: the covariate vector of cell c; every vector of the same length p. */
  readonly x: readonly (readonly number[])[];
  /** One merged table of the C cells per stratum (nRisk[c], nEvent[c]); one table unstratified. */
  readonly strata: readonly MergedTable[];
}

export interface CellFit {
  /** The fit of the columns that are not exactly aliased, in column order (coef, variance). */
  fit: CoxFit;
  /** Per column of x: false where R reports an NA coefficient (aliased or singular). */
  kept: boolean[];
}

/**
 * Log partial likelihood, score and information at beta for the cell design x.
 * Method: at each death time, with w_c = exp(x_c' beta), n_c at risk and d_c dying in cell c,
 * the survivors' sums Q0 = sum_c (n_c - d_c) w_c, Q1 = sum_c (n_c - d_c) w_c x_c and the deaths'
 * E0, E1 (likewise with d_c). Breslow: one term with the whole risk set S = Q + E, weight D.
 * Efron: D terms, the j-th of the D tied deaths seeing Q + (1 - j / D) E, weight 1. Each term
 * subtracts log(den) and adds a a' (a = numerator / den) to the score's and information's
 * means; the second-moment part sum_c w_c x_c x_c' ((n_c - d_c) A + d_c C), with A = sum 1 / den
 * and C = sum (1 - j / D) / den over the terms, is added per cell over x_c's non-zero entries.
 * Writing S - f E as Q + (1 - f) E keeps the last terms exact when nearly all at risk die.
 * Assumes every x_c of length beta.length.
 * Reference: R survival 3.5 coxfit6.c (coxfit6_iter); Efron 1977; Therneau & Grambsch 2000, ch. 3.
 * Cost per death time O(C z^2 + D p^2) for z non-zero covariates per cell (dummies: z <= 3).
 */
export function evaluateCells(merged: MergedTable, x: readonly (readonly number[])[], beta: readonly number[], ties: Ties): Evaluation {
  if (ties !== 'efron' && ties !== 'breslow') throw new SurvivalError('INVALID_OPTION', `unknown ties method ${String(ties)}`);
  const efron = ties === 'efron';
  const cells = x.length;
  const p = beta.length;
  // The non-zero entries of each cell's covariates: a dummy design has at most three.
  const nzIndex = x.map((xc) => xc.flatMap((v, j) => (v !== 0 ? [j] : [])));
  const nzValue = x.map((xc, c) => nzIndex[c].map((j) => xc[j]));
  const eta = x.map((xc) => xc.reduce((sum, v, j) => sum + v * beta[j], 0));
  const w = eta.map(Math.exp);
  const u = new Array<number>(p).fill(0);
  const imat = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const q1 = new Array<number>(p);
  const e1 = new Array<number>(p);
  const a = new Array<number>(p);
  let loglik = 0;
  for (let i = 0; i < merged.time.length; i++) {
    const deaths = merged.totalEvent[i];
    if (deaths === 0) continue;
    let q0 = 0;
    let e0 = 0;
    q1.fill(0);
    e1.fill(0);
    for (let c = 0; c < cells; c++) {
      const dc = merged.nEvent[c][i];
      const wq = (merged.nRisk[c][i] - dc) * w[c];
      const we = dc * w[c];
      q0 += wq;
      e0 += we;
      if (dc > 0) loglik += dc * eta[c];
      const idx = nzIndex[c];
      const val = nzValue[c];
      for (let k = 0; k < idx.length; k++) {
        q1[idx[k]] += wq * val[k];
        e1[idx[k]] += we * val[k];
        u[idx[k]] += dc * val[k];
      }
    }
    const terms = efron ? deaths : 1;
    const weight = efron ? 1 : deaths;
    let sumA = 0;
    let sumC = 0;
    for (let t = 0; t < terms; t++) {
      const g = efron ? 1 - t / deaths : 1;
      const den = q0 + g * e0;
      loglik -= weight * Math.log(den);
      sumA += weight / den;
      sumC += (weight * g) / den;
      for (let j = 0; j < p; j++) a[j] = (q1[j] + g * e1[j]) / den;
      for (let j = 0; j < p; j++) {
        u[j] -= weight * a[j];
        const row = imat[j];
        for (let h = 0; h <= j; h++) row[h] -= weight * a[j] * a[h];
      }
    }
    for (let c = 0; c < cells; c++) {
      const nc = merged.nRisk[c][i];
      if (nc === 0) continue;
      const dc = merged.nEvent[c][i];
      const coef = w[c] * ((nc - dc) * sumA + dc * sumC);
      const idx = nzIndex[c];
      const val = nzValue[c];
      for (let k = 0; k < idx.length; k++) {
        for (let l = 0; l < idx.length; l++) {
          if (idx[l] <= idx[k]) imat[idx[k]][idx[l]] += coef * val[k] * val[l];
        }
      }
    }
  }
  // Only the lower triangle was accumulated.
  for (let j = 0; j < p; j++) for (let h = 0; h < j; h++) imat[h][j] = imat[j][h];
  return { loglik, u, imat };
}

/**
 * Columns of x that are exactly aliased: those whose pivot in the generalised Cholesky of the
 * information at beta = 0, in column order, is singular (R's cholesky2 rule). All zero (an
 * arm-by-level cell without patients) or a combination of earlier columns; R reports them NA.
 * Reference: R survival 3.5 cholesky2.c and coxph.fit (which.sing).
 */
export function aliasedColumns(imat: readonly (readonly number[])[]): boolean[] {
  return ldl(imat).kept.map((k) => !k);
}

/**
 * Fit coxph(Surv(time, status) ~ <categorical covariates> [+ strata(...)]) given its cell design.
 * Method: the exactly aliased columns are found at beta = 0 (aliasedColumns) and held at 0, as
 * R's cholesky2 holds them at every step; the others are fitted by coxFit's Newton-Raphson as
 * R's coxfit6 runs it (coxnewton.ts maximise, with R's generalised Cholesky for columns that
 * vanish as a coefficient runs off). df counts the columns R does not report NA. With
 * options.acceptInfinite, the fit where the log-likelihood converged is returned even if a
 * coefficient is infinite (a cell without events), and after iter.max iterations the last
 * accepted point, every column then counted (R's flag 1000), as R returns them with a warning.
 * Assumes proportional hazards; independent censoring.
 * Reference: R survival 3.5 coxph / coxph.fit / coxfit6.c; Therneau & Grambsch 2000, ch. 3.
 */
export function coxFitCells(model: CellModel, options: CoxOptions): CellFit {
  if (model.strata.length === 0) throw new SurvivalError('EMPTY', 'a Cox model needs at least one stratum');
  const p = model.x[0]?.length ?? 0;
  const evalWith =
    (x: readonly (readonly number[])[]) =>
    (beta: readonly number[]): Evaluation =>
      sumEvaluations(model.strata.map((m) => evaluateCells(m, x, beta, options.ties)));
  const aliased = p === 0 ? [] : aliasedColumns(evalWith(model.x)(new Array<number>(p).fill(0)).imat);
  const x = model.x.map((xc) => xc.filter((_, j) => !aliased[j]));
  const q = p - aliased.filter(Boolean).length;
  if (q === 0) {
    const loglik = evalWith(x)([]).loglik;
    const fit: CoxFit = { coef: [], variance: [], loglik, loglikNull: loglik, likelihoodRatio: 0, wald: 0, score: 0, df: 0, iterations: 0 };
    return { fit, kept: aliased.map(() => false) };
  }
  const reduced = maximise(evalWith(x), q, { ...options, allowSingular: true });
  let next = 0;
  const kept = aliased.map((a) => (reduced.exhausted ? true : !a && reduced.kept[next++]));
  const fit = reduced.exhausted ? { ...reduced.fit, df: p } : reduced.fit;
  return { fit, kept };
}
