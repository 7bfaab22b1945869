// The `followup` command line. Each subcommand lives in its own file under commands/ and
// exports `register(program)`; this file only wires them together.
import { Command } from 'commander';
import { exitOf, refusingAsUsage } from './usage';

type Register = (p: Command) => void;

// Loaded on demand: `followup stats` should not pay for NestJS, TypeORM and kafkajs (about
// half a second of start-up) that only the pipeline commands need.
const commands: Record<string, () => Register> = {
  stats: () => (require('./commands/stats') as { register: Register }).register,
  boundaries: () => (require('./commands/boundaries') as { register: Register }).register,
  interim: () => (require('./commands/interim') as { register: Register }).register,
  link: () => (require('./commands/link') as { register: Register }).register,
  train: () => (require('./commands/train') as { register: Register }).register,
  model: () => (require('./commands/model') as { register: Register }).register,
  ingest: () => (require('./commands/ingest') as { register: Register }).register,
  replay: () => (require('./commands/replay') as { register: Register }).register,
  token: () => (require('./commands/token') as { register: Register }).register,
  audit: () => (require('./commands/audit') as { register: Register }).register,
  adam: () => (require('./commands/adam') as { register: Register }).register,
  demo: () => (require('./commands/demo') as { register: Register }).register,
  dlq: () => (require('./commands/dlq') as { register: Register }).register,
  migrate: () => (require('./commands/migrate') as { register: Register }).register,
};

const asked = process.argv[2];
const known = asked !== undefined && asked in commands;

const program = refusingAsUsage(new Command(), () => (known ? `followup ${asked}` : 'followup'))
  .name('followup')
  .description('trial-followup: survival read-outs from registry follow-up');

const wanted = known ? [asked] : Object.keys(commands);
for (const name of wanted) commands[name]()(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  const code = exitOf(err);
  if (code !== null) process.exit(code);
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`followup: ${message}\n`);
  process.exit(1);
});
