import { z } from 'zod';

/** A real civil date `YYYY-MM-DD` (no time zone). Rejects 2009-02-30 and friends. */
export const civilDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(isRealDate, 'is not a real calendar date');

export function isRealDate(s: string): boolean {
  const [y, m, d] = s.split('-').map(Number);
  if (!y || !m || !d) return false;
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** Whole days from `from` to `to` (both civil dates): `to - from`. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The civil date `days` after `date`. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export const sex = z.enum(['M', 'F', 'U']);
export type Sex = z.infer<typeof sex>;

export const registrySource = z.enum(['ONS', 'NRS']);
export type RegistrySource = z.infer<typeof registrySource>;

export const nonEmpty = z.string().trim().min(1, 'is required');
export const eventId = z.string().min(1, 'is required');

/** Formats zod issues as `field: message; field: message`, naming the record's fields. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.join('.') : '(message)'}: ${i.message}`)
    .join('; ');
}
