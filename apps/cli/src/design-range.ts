// The range of a group-sequential design that rpact's getDesignGroupSequential accepts (the
// reference of `followup boundaries` and `followup interim`, stats-cli.md): alpha in [1e-6, 0.5)
// and at most 20 looks (kMax). A design outside it is refused up front, naming the option,
// rather than computed where the reference would not compute it.

const MIN_ALPHA = 1e-6;
const MAX_ALPHA = 0.5;
const MAX_LOOKS = 20;

/** Why `--alpha` is out of rpact's range (null when it is in it). */
export function alphaProblem(alpha: number, raw: string): string | null {
  if (alpha >= MIN_ALPHA && alpha < MAX_ALPHA) return null;
  return `--alpha must be at least 1e-6 and below 0.5 (rpact's range), got ${raw}`;
}

/** Why a list of `looks` given with `option` has more looks than rpact's designs hold (null when not). */
export function looksProblem(option: string, looks: number): string | null {
  return looks > MAX_LOOKS ? `${option} gives ${looks} looks; a design has at most ${MAX_LOOKS} (rpact's kMax)` : null;
}
