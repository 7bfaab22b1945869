import { CommanderError, type Command } from 'commander';
import { CodedError } from '@trial/contracts';

/** The exit status of a command refused for what it was given (the CLI contracts' "bad input"). */
export const USAGE_EXIT = 2;

/**
 * What the user gave a command cannot be used: an option, a file, a model. Every command ends
 * on it the same way (exitOnUsageError): exit status 2 and one line on stderr. Any other
 * failure is a fault, which main reports with exit status 1. One of the CodedError family.
 */
export class UsageError extends CodedError<'usage'> {
  constructor(message: string) {
    super('usage', message);
  }
}

/**
 * A command's catch: a UsageError becomes one line on stderr (`prefix` and the message, white
 * space folded with `fold`, for messages that quote a path or the system's words) and exit
 * status 2; anything else is thrown on.
 */
export function exitOnUsageError(e: unknown, { prefix = '', fold = false }: { prefix?: string; fold?: boolean } = {}): void {
  if (!(e instanceof UsageError)) throw e;
  process.stderr.write(`${prefix}${fold ? e.message.replace(/\s+/g, ' ') : e.message}\n`);
  process.exitCode = USAGE_EXIT;
}

/** A command's action that prints what `run` returns, ending on a UsageError as exitOnUsageError does. */
export function printOrExit<A extends unknown[]>(run: (...args: A) => string): (...args: A) => void {
  return (...args) => {
    try {
      process.stdout.write(run(...args));
    } catch (err) {
      exitOnUsageError(err);
    }
  };
}

/**
 * Runs `fn`, whose failures of the given families are the input's fault (a SurvivalError for
 * an option outside its domain, say): each becomes a UsageError, `prefix: ` and its message.
 */
export function usageOn<T>(prefix: string, fn: () => T, ...families: ReadonlyArray<abstract new (...args: never[]) => Error>): T {
  try {
    return fn();
  } catch (err) {
    if (families.some((f) => err instanceof f)) throw new UsageError(`${prefix}: ${(err as Error).message}`);
    throw err;
  }
}

/**
 * Makes commander's own refusals (an unknown option or command, a missing argument or required
 * option, a value outside an option's choices) end as the commands' usage errors do: one line on
 * stderr naming the command (`name()`, e.g. "followup stats"), then `exitOf` gives exit status 2.
 * Set on the program before its commands are registered: they inherit it.
 */
export function refusingAsUsage(program: Command, name: () => string): Command {
  return program.exitOverride().configureOutput({
    outputError: (text, write) =>
      write(
        `${name()}: ${text
          .replace(/^error: /, '')
          .replace(/\s+/g, ' ')
          .trim()} (see ${name()} --help)\n`,
      ),
  });
}

/**
 * The exit status a failure of commander's ends with (refusingAsUsage): 0 for help asked for,
 * USAGE_EXIT for a refusal (already written, or with no command at all the help on stderr);
 * null for any other failure.
 */
export function exitOf(err: unknown): number | null {
  if (!(err instanceof CommanderError)) return null;
  return err.exitCode === 0 ? 0 : USAGE_EXIT;
}
