import { Command } from 'commander';

export interface CliRun {
  out: string;
  err: string;
  code: number;
}

/**
 * Runs `followup ...args` in this process with the given commands registered, as the CLI's
 * main does, capturing stdout, stderr and the exit code (commander's exits become errors).
 * `env` is set for the run and restored after it.
 */
export async function runCli(registers: Array<(program: Command) => void>, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const program = new Command().exitOverride();
  for (const register of registers) register(program);
  let out = '';
  let err = '';
  const so = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
    out += String(c);
    return true;
  });
  const se = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
    err += String(c);
    return true;
  });
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'followup', ...args]);
  } finally {
    so.mockRestore();
    se.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { out, err, code };
}
