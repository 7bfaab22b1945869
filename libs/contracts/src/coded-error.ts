/**
 * The mark every coded error carries. A registered symbol (Symbol.for), so a library that may
 * import nothing of ours (libs/survival, DESIGN.md) can mark its error as one of the family
 * without importing this class; a plain object or a plain Error never has it.
 */
export const CODED_ERROR: unique symbol = Symbol.for('@trial/coded-error') as never;

/**
 * An expected failure with a stable code from a closed union `C`. Callers branch on `code` (an
 * HTTP status, an exit status, a dead letter), never on the message, which is for people and
 * may change. Each family is a subclass that fixes its union (ReadError, IngestError, ...), so
 * a `switch` over `code` is checked for exhaustiveness; `isCodedError` narrows an unknown error.
 */
export class CodedError<C extends string = string> extends Error {
  readonly [CODED_ERROR] = true;

  constructor(
    readonly code: C,
    message: string,
  ) {
    super(message);
    // The subclass's name ('ReadError', ...): logs and failureCode show the family.
    this.name = new.target.name;
  }
}

/**
 * Whether `e` is a coded error; with `codes`, one whose code is among them (the union narrows
 * to those). A code is only trusted from an error of the family (it carries CODED_ERROR): a
 * plain object's `code`, or a plain Error's, is not ours.
 */
export function isCodedError<C extends string>(e: unknown, codes?: readonly C[]): e is CodedError<C> {
  if (!(e instanceof Error) || (e as { [CODED_ERROR]?: unknown })[CODED_ERROR] !== true) return false;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (codes === undefined || codes.includes(code as C));
}
