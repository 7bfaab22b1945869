// Small dense symmetric positive-definite algebra for the k - 1 group parameters (k is the
// number of arms, so these matrices are tiny). Cholesky rather than a general inverse because
// every matrix here is an information or variance matrix.
import { SurvivalError } from './errors';

/** Cholesky factor L (lower, row-major arrays) of a symmetric positive-definite matrix. */
export function cholesky(a: readonly number[][]): number[][] {
  const n = a.length;
  const l = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i][j];
      for (let k = 0; k < j; k++) sum -= l[i][k] * l[j][k];
      if (i === j) {
        // Relative pivot tolerance, as R's cholesky2 (toler.chol = eps^0.75).
        if (!(sum > Math.abs(a[i][i]) * 1.8189894035458565e-12)) {
          throw new SurvivalError('SINGULAR', 'matrix is not positive definite');
        }
        l[i][i] = Math.sqrt(sum);
      } else {
        l[i][j] = sum / l[j][j];
      }
    }
  }
  return l;
}

/** Solve A x = b given A's Cholesky factor. */
export function cholSolve(l: readonly number[][], b: readonly number[]): number[] {
  const n = l.length;
  const y = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * y[k];
    y[i] = s / l[i][i];
  }
  const x = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k][i] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}

/** Inverse of A from its Cholesky factor. */
export function cholInverse(l: readonly number[][]): number[][] {
  const n = l.length;
  const inv: number[][] = [];
  for (let j = 0; j < n; j++) {
    const e = new Array<number>(n).fill(0);
    e[j] = 1;
    inv.push(cholSolve(l, e));
  }
  // Columns were pushed as rows; A^-1 is symmetric so this is A^-1.
  return inv;
}

/** Quadratic form b' A^-1 b from A's Cholesky factor. */
export function quadFormInv(l: readonly number[][], b: readonly number[]): number {
  const x = cholSolve(l, b);
  let s = 0;
  for (let i = 0; i < b.length; i++) s += b[i] * x[i];
  return s;
}
