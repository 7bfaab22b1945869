// The `followup` command line. Each subcommand lives in its own file under commands/ and
// exports `register(program)`; this file only wires them together.
import { Command } from 'commander';
import { register as stats } from './commands/stats';
import { register as boundaries } from './commands/boundaries';
import { register as demo } from './commands/demo';
import { register as token } from './commands/token';
import { register as link } from './commands/link';
import { register as ingest } from './commands/ingest';
import { register as replay } from './commands/replay';

const program = new Command();
program
  .name('followup')
  .description('trial-followup: survival read-outs from registry follow-up')
  .showHelpAfterError();

// Subcommands register themselves here, one line each.
const commands: Array<(p: Command) => void> = [
  stats,
  boundaries,
  demo,
  token,
  link,
  replay,
  ingest,
];
for (const register of commands) register(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`followup: ${message}\n`);
  process.exit(1);
});
