// Test helpers: fixture loading and tolerance comparisons in the contract's terms.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SurvivalError, SurvivalTable } from '../src';

/** Read a fixture CSV (time,status,arm) into per-group tables; one group 'all' if ungrouped. */
export function loadFixture(name: string, grouped = true): Map<string, SurvivalTable> {
  const text = readFileSync(join(__dirname, 'fixtures', `${name}.csv`), 'utf8');
  const rows = text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const byGroup = new Map<string, { t: number[]; e: number[] }>();
  for (const [t, s, g] of rows) {
    const label = grouped ? g : 'all';
    const entry = byGroup.get(label) ?? { t: [], e: [] };
    entry.t.push(Number(t));
    entry.e.push(Number(s));
    byGroup.set(label, entry);
  }
  return new Map([...byGroup].map(([g, v]) => [g, SurvivalTable.fromRows(v.t, v.e)]));
}

/** jsonlite unboxes length-1 vectors; make every column an array again. */
export function arr<T>(x: T | readonly T[] | null | undefined): T[] {
  if (x === null || x === undefined) return [];
  return Array.isArray(x) ? [...(x as T[])] : [x as T];
}

/** Collects mismatches so one failing test lists all of them. */
export class Mismatches {
  readonly list: string[] = [];

  /** Relative agreement |a - b| <= tol * max(|a|, |b|) (absolute tol near 0); nulls must match. */
  close(path: string, actual: number | null | undefined, expected: number | null | undefined, tol: number): void {
    const a = actual ?? null;
    const e = expected ?? null;
    if (a === null || e === null) {
      if (a !== e) this.list.push(`${path}: got ${a}, R ${e}`);
      return;
    }
    const scale = Math.max(Math.abs(a), Math.abs(e));
    if (!(Math.abs(a - e) <= tol * Math.max(scale, 1e-300) || (scale < tol && Math.abs(a - e) <= tol))) {
      this.list.push(`${path}: got ${a}, R ${e} (rel diff ${(Math.abs(a - e) / scale).toExponential(2)})`);
    }
  }

  /** Absolute agreement (boundaries). */
  abs(path: string, actual: number, expected: number, tol: number): void {
    if (!(Math.abs(actual - expected) <= tol)) this.list.push(`${path}: got ${actual}, R ${expected}`);
  }

  exact(path: string, actual: unknown, expected: unknown): void {
    if (actual !== (expected ?? null)) this.list.push(`${path}: got ${String(actual)}, R ${String(expected)}`);
  }
}

/** The result, or null when the data cannot support it (a group without events, a monotone likelihood). */
export function attempt<T>(f: () => T): T | null {
  try {
    return f();
  } catch (err) {
    if (err instanceof SurvivalError) return null;
    throw err;
  }
}

/** Equal structure, numbers equal to a relative `tol`. */
export function closeDeep(a: unknown, b: unknown, tol = 1e-9): void {
  if (typeof a === 'number' && typeof b === 'number') {
    expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(a), Math.abs(b)));
  } else if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    expect(Object.keys(a)).toEqual(Object.keys(b));
    for (const k of Object.keys(a)) closeDeep((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], tol);
  } else {
    expect(a).toEqual(b);
  }
}
