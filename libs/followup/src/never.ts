/** Exhaustiveness check: the compiler rejects a switch that misses a case. */
export function assertNever(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}
