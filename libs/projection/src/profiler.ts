/**
 * Per-phase timings of the projector's batch path, for diagnosis. Injected (the service decides
 * whether to profile and where the lines go), so the library reads no environment and starts no
 * timer of its own when nobody asked for one.
 */
export interface Profiler {
  /** Records one value (a duration in ms, or a size) under a phase's name. */
  mark(name: string, value: number): void;
  /** Runs `f` and records how long it took. */
  time<T>(name: string, f: () => Promise<T>): Promise<T>;
}

/** Records nothing and adds nothing to the path (the default). */
export const noProfiler: Profiler = {
  mark: () => undefined,
  time: (_name, f) => f(),
};

/** A profiler from its `mark` alone: `time` marks how long `f` took, in ms, whether it resolved or threw. */
export function markingProfiler(mark: (name: string, value: number) => void): Profiler {
  return {
    mark,
    async time<T>(name: string, f: () => Promise<T>): Promise<T> {
      const t = performance.now();
      try {
        return await f();
      } finally {
        mark(name, performance.now() - t);
      }
    },
  };
}

/**
 * Accumulates count, mean and maximum per phase and writes one line every `everyMs` (then
 * starts over), e.g. to stderr. `stop` ends the timer; it is unref'd so it never holds a
 * process open.
 */
export function intervalProfiler(write: (line: string) => void, everyMs = 5000): Profiler & { stop(): void } {
  const phases = new Map<string, { n: number; sum: number; max: number }>();
  const mark = (name: string, value: number): void => {
    const p = phases.get(name) ?? { n: 0, sum: 0, max: 0 };
    p.n++;
    p.sum += value;
    p.max = Math.max(p.max, value);
    phases.set(name, p);
  };
  const timer = setInterval(() => {
    if (!phases.size) return;
    write([...phases].map(([k, v]) => `${k} n=${v.n} avg=${(v.sum / v.n).toFixed(1)} max=${v.max.toFixed(0)}`).join(' | '));
    phases.clear();
  }, everyMs);
  timer.unref();
  return { ...markingProfiler(mark), stop: () => clearInterval(timer) };
}
