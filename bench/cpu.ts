// CPU seconds per process over a benchmark's timed window (bench:pipeline, bench:replay,
// bench:linkage live), read from /proc/<pid>/stat (utime + stime, in clock ticks). The machine
// is shared, so the wall-clock figure alone says little: CPU seconds of each process is what
// compares two runs, and their sum over the cores bounds the wall time from below. On a system
// without /proc every reading is absent and the report says so.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks a second of /proc/<pid>/stat (USER_HZ: 100 on every Linux build in use). */
const TICKS = 100;

/** utime + stime of a process in seconds, or null once it has exited (or without /proc). */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which is parenthesised and may hold spaces): state is
    // field 3, utime field 14, stime field 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / TICKS;
  } catch {
    return null;
  }
}

/**
 * Tracks processes by label: each sample keeps the first and the last reading of every pid, so
 * a process that exits before the end (the ingest) still counts up to its last sample.
 */
export class CpuMeter {
  private readonly seen = new Map<number, { label: string; first: number; last: number }>();

  /** Reads `pid` now; the first reading of a pid is its baseline (`fromZero`: count from its start). */
  sample(label: string, pid: number | undefined, fromZero = false): void {
    if (pid === undefined) return;
    const s = cpuSeconds(pid);
    if (s === null) return;
    const had = this.seen.get(pid);
    if (had) had.last = s;
    else this.seen.set(pid, { label, first: fromZero ? 0 : s, last: s });
  }

  /** CPU seconds used in the window, by label (the pids of a label summed). */
  totals(): Map<string, number> {
    const out = new Map<string, number>();
    for (const { label, first, last } of this.seen.values()) out.set(label, (out.get(label) ?? 0) + last - first);
    return out;
  }
}

/** The pid of the first process whose command line contains `needle`, from /proc (the shared broker). */
export function findProcess(needle: string): number | undefined {
  return findProcesses(needle)[0];
}

/** The pids of every process whose command line contains `needle` (a database's Postgres backends). */
export function findProcesses(needle: string): number[] {
  const out: number[] = [];
  try {
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle)) out.push(Number(d));
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    // no /proc
  }
  return out;
}
