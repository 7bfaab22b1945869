/**
 * An expected failure with a stable code from a closed union `C`. Callers branch on `code` (an
 * HTTP status, an exit status, a dead letter), never on the message, which is for people and
 * may change. Each family is a subclass that fixes its union (ReadError, IngestError, ...), so
 * a `switch` over `code` is checked for exhaustiveness; `isCodedError` narrows an unknown error.
 */
export class CodedError<C extends string = string> extends Error {
  constructor(readonly code: C, message: string) {
    super(message);
    // The subclass's name ('ReadError', ...): logs and failureCode show the family.
    this.name = new.target.name;
  }
}

/**
 * Whether `e` is a coded error; with `codes`, one whose code is among them (the union narrows
 * to those). A code is only trusted from a CodedError: a plain object's `code` is not ours.
 */
export function isCodedError<C extends string>(e: unknown, codes?: readonly C[]): e is CodedError<C> {
  return e instanceof CodedError && (codes === undefined || codes.includes(e.code as C));
}
