// A generalised Cholesky (LDL') decomposition of an information matrix that tolerates aliased
// columns, as R survival's cholesky2 / chsolve2 / chinv2 do: a pivot below toler times the
// largest diagonal element marks its column singular, which the solve then leaves at 0 and the
// inverse at a zero row and column (R's NA coefficient). The Cox iteration (coxnewton.ts) uses
// it so that a design with aliased or vanishing columns goes where R's coxph goes.

/** R's coxph.control toler.chol, .Machine$double.eps^0.75. */
export const TOLER_CHOL = 1.8189894035458565e-12;

export interface Ldl {
  /** Lower triangle: L's entries below the diagonal, D on it (0 for a singular column). */
  readonly m: number[][];
  /** kept[i]: column i's pivot was accepted (not singular). */
  readonly kept: boolean[];
  readonly rank: number;
}

/**
 * LDL' of the symmetric matrix a (its lower triangle is read).
 * Method: Gaussian elimination in column order without pivoting; a pivot that is not finite or
 * is below toler * max(diagonal) is set to 0 and its column skipped. Cost O(n^3).
 * Reference: R survival 3.5 cholesky2.c (Therneau).
 */
export function ldl(a: readonly (readonly number[])[], toler = TOLER_CHOL): Ldl {
  const n = a.length;
  const m = a.map((row, i) => row.slice(0, i + 1));
  let maxDiag = 0;
  for (let i = 0; i < n; i++) if (m[i][i] > maxDiag) maxDiag = m[i][i];
  const eps = maxDiag === 0 ? toler : maxDiag * toler;
  const kept = new Array<boolean>(n).fill(false);
  let rank = 0;
  for (let i = 0; i < n; i++) {
    const pivot = m[i][i];
    if (!Number.isFinite(pivot) || pivot < eps) {
      m[i][i] = 0;
      continue;
    }
    kept[i] = true;
    rank++;
    for (let j = i + 1; j < n; j++) {
      const t = m[j][i] / pivot;
      m[j][i] = t;
      m[j][j] -= t * t * pivot;
      for (let k = j + 1; k < n; k++) m[k][j] -= t * m[k][i];
    }
  }
  return { m, kept, rank };
}

/** Solves A x = y with A's LDL'; a singular column's x is 0. Reference: R survival chsolve2.c. */
export function ldlSolve(f: Ldl, y: readonly number[]): number[] {
  const { m } = f;
  const n = m.length;
  const x = [...y];
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) x[i] -= x[j] * m[i][j];
  for (let i = n - 1; i >= 0; i--) {
    if (m[i][i] === 0) {
      x[i] = 0;
      continue;
    }
    let t = x[i] / m[i][i];
    for (let j = i + 1; j < n; j++) t -= x[j] * m[j][i];
    x[i] = t;
  }
  return x;
}

/** The generalised inverse: A^-1 on the kept columns, zero rows and columns for singular ones
 *  (R's chinv2, whose zero diagonal marks the NA coefficients). Cost O(n^3). */
export function ldlInverse(f: Ldl): number[][] {
  const n = f.m.length;
  const inv = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    if (!f.kept[j]) continue;
    const e = new Array<number>(n).fill(0);
    e[j] = 1;
    const col = ldlSolve(f, e);
    for (let i = 0; i < n; i++) if (f.kept[i]) inv[i][j] = col[i];
  }
  return inv;
}
