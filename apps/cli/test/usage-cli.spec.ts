// Commander's own refusals end as every command's usage errors do (stats-cli.md, link-cli.md):
// exit status 2 and one line on stderr naming the command, nothing on stdout. Driven through a
// program set up as main.ts sets it up (refusingAsUsage), plus the built bin when dist/ exists.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { register as registerLink } from '../src/commands/link';
import { register as registerStats } from '../src/commands/stats';
import { exitOf, refusingAsUsage, USAGE_EXIT } from '../src/usage';
import { captured } from '../../../test/support/cli';

async function refused(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const program = refusingAsUsage(new Command(), () => `followup ${args[0]}`).name('followup');
  registerStats(program);
  registerLink(program);
  const { out, err, result } = await captured(() => program.parseAsync(['node', 'followup', ...args]));
  return { code: result.ok ? null : exitOf(result.error), out, err };
}

describe("commander's refusals are usage errors: exit 2, one line naming the command", () => {
  test.each([
    [['stats', 'cohort.csv', '--bogus'], /^followup stats: unknown option '--bogus'/],
    [['stats'], /^followup stats: missing required argument 'file'/],
    [['link', '--registry', 'extract.csv'], /^followup link: required option '--cohort <file>' not specified/],
    [['link', '--cohort', 'c.csv', '--registry', 'e.csv', '--layout', 'xyz'], /^followup link: option '--layout <layout>' argument 'xyz' is invalid/],
  ])('%j', async (args, message) => {
    const r = await refused(args);
    expect(r.code).toBe(USAGE_EXIT);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(message);
    expect(r.err).toMatch(new RegExp(`\\(see followup ${args[0]} --help\\)\\n$`));
  });

  test('help asked for exits 0 with the help on stdout', async () => {
    const r = await refused(['stats', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage: followup stats/);
    expect(r.err).toBe('');
  });

  test('any other failure is not commander’s', () => {
    expect(exitOf(new Error('disk full'))).toBeNull();
  });
});

const root = join(__dirname, '..', '..', '..');
const built = existsSync(join(root, 'dist', 'apps', 'cli', 'src', 'main.js'));
(built ? describe : describe.skip)('the built bin', () => {
  test('an unknown option exits 2 with one line; an unknown command too', () => {
    const bin = join(root, 'bin', 'followup.js');
    const option = spawnSync('node', [bin, 'stats', 'x.csv', '--bogus'], { encoding: 'utf8' });
    expect([option.status, option.stdout, option.stderr]).toEqual([2, '', "followup stats: unknown option '--bogus' (see followup stats --help)\n"]);
    const command = spawnSync('node', [bin, 'nosuch'], { encoding: 'utf8' });
    expect(command.status).toBe(2);
    expect(command.stdout).toBe('');
    expect(command.stderr).toBe("followup: unknown command 'nosuch' (see followup --help)\n");
  });
});
