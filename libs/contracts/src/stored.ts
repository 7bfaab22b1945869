import { z } from 'zod';
import { CodedError } from './coded-error';

/**
 * A row (or its JSON) read back from Postgres that this code cannot use: written by a version
 * that no schema here reads, or changed by hand. The message names the table, the column and
 * the rule broken (zod's path and message), never the value: a stored row may hold identifiers.
 * A caller does not catch it; it is a fault to see (a consumer retries, the API answers 500),
 * never a wrong figure computed from a cast.
 */
export class StoredRowError extends CodedError<'stored-row-invalid'> {}

/** Where a stored value came from: `table` and, for one JSON column, `column`. */
export interface StoredAt {
  table: string;
  column?: string;
}

const where = (at: StoredAt): string => (at.column ? `${at.table}.${at.column}` : at.table);

function refused(at: StoredAt, error: z.ZodError): StoredRowError {
  // Paths and zod's messages only: zod's messages say what was expected, not what was there.
  const issues = error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(row)'}: ${i.message}`)
    .join('; ');
  return new StoredRowError('stored-row-invalid', `a stored row of ${where(at)} cannot be read: ${issues}`);
}

/** One stored value checked by `schema` (upcast by it where the schema upcasts), or a StoredRowError. */
export function storedValue<T>(schema: z.ZodType<T>, value: unknown, at: StoredAt): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw refused(at, parsed.error);
  return parsed.data;
}

/** Rows as the driver gave them, each checked by `schema`, or a StoredRowError naming the first bad row's fields. */
export function storedRows<T>(schema: z.ZodType<T>, list: unknown, at: StoredAt): T[] {
  if (!Array.isArray(list)) throw new StoredRowError('stored-row-invalid', `a read of ${at.table} did not return rows`);
  const out = new Array<T>(list.length);
  for (let i = 0; i < list.length; i++) out[i] = storedValue(schema, list[i], at);
  return out;
}

/**
 * The hot path's check (a projector batch, the trial cache's reload): `problem` looks at the
 * structure the caller relies on by `typeof` alone and names the first field that is off, or
 * returns null. A fraction of a zod parse's cost (bench/stored-rows.ts); the cold reads use the
 * full schema with storedRows.
 */
export function checkedRows<T>(list: unknown, problem: (row: Record<string, unknown>) => string | null, at: StoredAt): T[] {
  if (!Array.isArray(list)) throw new StoredRowError('stored-row-invalid', `a read of ${at.table} did not return rows`);
  for (const row of list) {
    const p = row !== null && typeof row === 'object' ? problem(row as Record<string, unknown>) : '(row): must be an object';
    if (p !== null) throw new StoredRowError('stored-row-invalid', `a stored row of ${where(at)} cannot be read: ${p}`);
  }
  return list as T[];
}

/** `x` is a plain object (not null, not an array): what the structural checks descend into. */
export function isRecord(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}
