import { intervalProfiler, noProfiler, type Profiler } from '@trial/projection';

/** `PROJECTOR_PROFILE=1` (AppConfig): per-phase timings of the batch path to stderr every 5 s (diagnosis only). */
export function projectorProfiler(profile: boolean): Profiler {
  return profile ? intervalProfiler((line) => process.stderr.write(`[profile] ${line}\n`)) : noProfiler;
}
