// The subjects who left a competing-risks risk set, by exit class, for the exact sum of squared
// influences where aalen-johansen.ts's running sums would lose precision.

/** Below this fraction of its peak, the variance is summed over the exit classes. */
export const EXACT_BELOW = 1e-2;

/** The subjects who left the risk set, by class (same exit time and kind): count, influence on
 *  F_K at exit, x / S at exit (how it moves with F_K afterwards) and F_K at exit. */
export class ExitClasses {
  private readonly count: number[] = [];
  private readonly y: number[] = [];
  private readonly slope: number[] = [];
  private readonly f: number[] = [];

  add(count: number, x: number, y: number, s: number, f: number): void {
    if (count === 0) return;
    this.count.push(count);
    this.y.push(y);
    // S = 0 at exit: no event comes after, F_K no longer moves.
    this.slope.push(s > 0 ? x / s : 0);
    this.f.push(f);
  }

  /** sum over classes of count * y(t)^2 at a time where F_K = f. */
  sumOfSquares(f: number): number {
    let sum = 0;
    for (let i = 0; i < this.count.length; i++) {
      const y = this.y[i] + this.slope[i] * (f - this.f[i]);
      sum += this.count[i] * y * y;
    }
    return sum;
  }
}
