// `npm run bench:stats`, second part: the closed report's read-out on 300,000 rows, i.e.
// `followup stats --json --strata region --subgroups sex,age,region --cause 1` (the functions
// the dsmb read-out runs, libs/readmodel closedAnalysis), against bench/stats-closed.R (the
// contract's R calls), both timed as whole processes. Target: ours <= 0.3 of R's time.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRng as rng } from '@trial/linkage';
import { benchClosedRead } from './stats-closed-read';

const REGIONS = ['London', 'Midlands', 'North', 'Scotland', 'South', 'Wales'];

/**
 * Two arms (HR 0.8 for the cause of interest, 1 for the other), six regions with their own
 * baseline hazard, sex, two age bands; six in ten deaths cardiovascular (code 1), the rest
 * other causes (2); whole days, as the read-out's times are; uniform censoring over 1-5 years.
 */
export function closedCohort(n: number, seed: number): string {
  const u = rng(seed);
  const lines = ['time,status,arm,region,sex,age'];
  for (let i = 0; i < n; i++) {
    const treated = u() < 0.5;
    const r = Math.floor(u() * REGIONS.length);
    const sex = u() < 0.3 ? 'F' : 'M';
    const old = u() < 0.35;
    const base = 0.0004 * (1 + r / 5) * (old ? 1.6 : 1);
    const cv = -Math.log(1 - u()) / ((treated ? 0.8 : 1) * base * 0.6);
    const other = -Math.log(1 - u()) / (base * 0.4);
    const censor = 365 + u() * 4 * 365;
    const t = Math.min(cv, other, censor);
    const status = t === censor ? 0 : t === cv ? 1 : 2;
    lines.push(`${Math.max(1, Math.round(t))},${status},${treated ? 'treatment' : 'control'},${REGIONS[r]},${sex},${old ? '>=75' : '<75'}`);
  }
  return lines.join('\n') + '\n';
}

type Timer = (cmd: string, args: string[], out: string) => number;

/** One size: ours (full) against R with or without finegray; prints both times and the ratio. */
function race(root: string, dir: string, n: number, fineGrayInR: boolean, timeProcess: Timer): void {
  const csv = join(dir, `closed-${n}.csv`);
  writeFileSync(csv, closedCohort(n, 20261201));
  const args = ['stats', csv, '--json', '--reference', 'control', '--strata', 'region', '--subgroups', 'sex,age,region', '--cause', '1'];
  const ours = timeProcess('node', [join(root, 'bin', 'followup.js'), ...args], join(dir, `closed-${n}-ours.json`));
  const rArgs = [join(root, 'bench', 'stats-closed.R'), csv, fineGrayInR ? 'finegray' : 'no-finegray'];
  const r = timeProcess('Rscript', rArgs, join(dir, `closed-${n}-r.txt`));
  const what = fineGrayInR ? 'every call' : 'every call but finegray + its coxph (R lower bound)';
  console.log(
    `closed report, ${n.toLocaleString('en-GB')} rows: ours (everything) ${ours.toFixed(0)} ms; R (${what}) ${r.toFixed(0)} ms;` +
      ` ratio ${(ours / r).toFixed(3)} (target <= 0.3)`,
  );
}

/**
 * 300,000 rows (two arms, six regions, sex, two age bands, causes 1 and 2) with R's finegray
 * left out (it cannot run at that size), then 5,000 rows with every call on both sides.
 */
export function benchClosed(root: string, dir: string, timeProcess: Timer): void {
  console.log(
    'closed report: followup stats --strata region --subgroups sex,age,region --cause 1 --json vs bench/stats-closed.R' +
      ' (survdiff/coxph with strata, 3 x per-level coxph + anova, survfit AJ, cuminc, cause-specific coxph, finegray + coxph)',
  );
  race(root, dir, 300_000, false, timeProcess);
  race(root, dir, 5_000, true, timeProcess);
  benchClosedRead();
}
