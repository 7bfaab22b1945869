import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The script of a worker thread that sits beside the code starting it (`dir`, its __dirname):
 * the compiled `<name>.js`, or, when running from the ts sources (jest, tsx), `<name>.ts` with the
 * node flags that load it through tsx's require hook (which also maps the @trial/* paths).
 * `execArgv` is only set for the .ts script; what a compiled worker gets is the caller's choice.
 */
export function workerScript(dir: string, name: string): { file: string; execArgv?: string[] } {
  const js = join(dir, `${name}.js`);
  return existsSync(js) ? { file: js } : { file: join(dir, `${name}.ts`), execArgv: ['--require', 'tsx/cjs'] };
}
