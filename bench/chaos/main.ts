// `npm run chaos` (full form) and `npm run chaos -- --short` (the form `npm test` runs):
//   --short           a few kills, a mid-file ingest kill and one disk-full episode (about 80 s on this machine)
//   --brokers 3       run the main chaos scenario on a three-broker cluster
//   --three-broker    also run the three-broker scenario in the short form (the full form always does)
//   --only chaos|three  skip the three-broker scenario, or the main chaos run
//   --keep            leave the private infrastructure running at the end (to look at it)
//   --dir DIR         private infrastructure and logs (default: $TMPDIR/trial-followup-chaos; emptied first)
// Needs root (tmpfs mount; Postgres runs as the postgres user) and the compiled services (dist/).
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { formatFigures, runChaos } from './chaos';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const brokers = value('--brokers') === '3' ? 3 : 1;
  const form = args.includes('--short') ? 'short' : 'full';
  // Not under .infra, which may be private (0700): the postgres user must reach its data dir.
  const dir = value('--dir') ?? join(tmpdir(), 'trial-followup-chaos');
  const t0 = Date.now();
  const log = (l: string) => process.stdout.write(`[chaos +${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${l}\n`);
  log(
    `${form} form on ${brokers} broker(s); ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  );
  const only = value('--only');
  if (only !== undefined && only !== 'chaos' && only !== 'three') throw new Error('--only takes chaos or three');
  const result = await runChaos({ form, brokers, threeBroker: args.includes('--three-broker'), only, keep: args.includes('--keep'), dir, log });
  process.stdout.write(`${formatFigures(result)}\n`);
  log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  process.exit(result.failures.length ? 1 : 0);
}

main().catch((e: unknown) => {
  process.stderr.write(`chaos: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(2);
});
