// `npm run fuzz [-- --seed N --bad N --patients N --partitions N --settle SECONDS --skip CATEGORY,... --brokers 1|3 --huge-mb N]`:
// the full fuzz (10,000 bad messages by default) against the broker in KAFKA_BROKERS, on its own
// database (trial_followup_fuzz, recreated on the server of DATABASE_URL) and private topics.
// `--brokers 3`: on a private three-broker cluster and Postgres instead (the chaos suite's
// private infrastructure), topics at replication factor 3 with min.insync.replicas=2.
// Prints counts per category and the time taken; exits 1 when an assertion fails.
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrivateInfra, type PrivateInfra } from '../chaos/infra';
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
  const brokers = arg('brokers', 1);
  if (brokers !== 1 && brokers !== 3) {
    process.stderr.write(`fuzz: --brokers must be 1 or 3, got ${brokers}\n`);
    process.exit(2);
  }
  let infra: PrivateInfra | null = null;
  if (brokers === 3) {
    infra = await startPrivateInfra({ dir: join(tmpdir(), 'trial-followup-fuzz'), brokers: 3, log: (line) => console.log(line) });
    console.log(`three brokers: ${infra.brokers}`);
  }
  try {
    const result = await runFuzz({
      seed: arg('seed', 20261201),
      bad: arg('bad', 10_000),
      patients: arg('patients', 40),
      partitions: arg('partitions', 6),
      adminUrl: infra?.adminUrl ?? process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/trial_followup',
      database: 'trial_followup_fuzz',
      brokers: infra?.brokers ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
      logDir: defaultLogDir(projectRoot()),
      settleMs: arg('settle', 240) * 1000,
      skip: skipped(),
      // The HTTP phase, its extract with one field of --huge-mb MiB (a 600 MB field, a 200 MB line); --huge-mb 0 leaves the phase out.
      http: arg('huge-mb', 200) > 0 ? { hugeLineBytes: arg('huge-mb', 200) * 2 ** 20 } : null,
      log: (line) => console.log(line),
    });
    console.log(formatResult(result));
    process.exitCode = result.report.ok ? 0 : 1;
  } finally {
    await infra?.stop();
  }
  process.exit(process.exitCode ?? 0);
}

main().catch((e: unknown) => {
  process.stderr.write(`fuzz: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
