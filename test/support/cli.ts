import { Command } from 'commander';

export interface CliRun {
  out: string;
  err: string;
  code: number;
}

/** What `run` wrote to stdout and stderr, captured in this process, and how it ended. */
export async function captured<T>(
  run: () => Promise<T>,
): Promise<{ out: string; err: string; result: { ok: true; value: T } | { ok: false; error: unknown } }> {
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
  let result: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    result = { ok: true, value: await run() };
  } catch (error) {
    result = { ok: false, error };
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
  return { out, err, result };
}

/**
 * Runs `followup ...args` in this process with the given commands registered, as the CLI's
 * main does, capturing stdout, stderr and the exit code (commander's exits become errors).
 * `env` is set for the run and restored after it.
 */
export async function runCli(registers: Array<(program: Command) => void>, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const program = new Command().exitOverride();
  for (const register of registers) register(program);
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  process.exitCode = undefined;
  let run: Awaited<ReturnType<typeof captured>>;
  try {
    run = await captured(() => program.parseAsync(['node', 'followup', ...args]));
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  if (!run.result.ok) throw run.result.error;
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { out: run.out, err: run.err, code };
}
