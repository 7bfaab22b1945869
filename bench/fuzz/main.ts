// `npm run fuzz [-- --seed N --bad N --patients N --partitions N --settle SECONDS --skip CATEGORY,...]`: the full
// fuzz (10,000 bad messages by default) against the broker in KAFKA_BROKERS, on its own
// database (trial_followup_fuzz, recreated on the server of DATABASE_URL) and private topics.
// Prints counts per category and the time taken; exits 1 when an assertion fails.
import { cpus } from 'node:os';
import { projectRoot } from '@trial/config';
import { BAD_CATEGORIES, BadCategory } from './plan';
import { defaultLogDir, formatResult, runFuzz } from './run';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) {
    process.stderr.write(`fuzz: --${name} must be a whole number, got ${process.argv[i + 1]}\n`);
    process.exit(2);
  }
  return v;
}

/** `--skip a,b`: categories to leave out. */
function skipped(): BadCategory[] {
  const i = process.argv.indexOf('--skip');
  if (i < 0) return [];
  const list = (process.argv[i + 1] ?? '').split(',').filter(Boolean);
  const unknown = list.filter((c) => !(BAD_CATEGORIES as readonly string[]).includes(c));
  if (unknown.length) {
    process.stderr.write(`fuzz: --skip: unknown categories ${unknown.join(', ')} (known: ${BAD_CATEGORIES.join(', ')})\n`);
    process.exit(2);
  }
  return list as BadCategory[];
}

async function main(): Promise<void> {
  const cpu = cpus();
  console.log(`machine: ${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, node ${process.version}`);
  const result = await runFuzz({
    seed: arg('seed', 20261201), bad: arg('bad', 10_000), patients: arg('patients', 40), partitions: arg('partitions', 6),
    adminUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/trial_followup', database: 'trial_followup_fuzz',
    brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092', logDir: defaultLogDir(projectRoot()), settleMs: arg('settle', 240) * 1000,
    skip: skipped(),
    log: (line) => console.log(line),
  });
  console.log(formatResult(result));
  process.exit(result.report.ok ? 0 : 1);
}

main().catch((e: unknown) => {
  process.stderr.write(`fuzz: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
