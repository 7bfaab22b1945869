import { intervalProfiler, noProfiler, type Profiler } from '@trial/readstore';

/** `PROJECTOR_PROFILE=1`: per-phase timings of the batch path to stderr every 5 s (diagnosis only). */
export function projectorProfiler(env: NodeJS.ProcessEnv = process.env): Profiler {
  return env.PROJECTOR_PROFILE === '1' ? intervalProfiler((line) => process.stderr.write(`[profile] ${line}\n`)) : noProfiler;
}
