// Test helpers for the stratified and subgroup analyses: the strata-*.csv fixtures as columns.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CohortRows } from '../src';

export interface StrataFixture {
  rows: CohortRows;
  /** Every column of the file as text, by header name. */
  columns: Map<string, string[]>;
  /** The groups with `reference` first, then the others by label (the contract's order). */
  groups: (reference: string) => string[];
}

/** Read fixtures/strata-NAME.csv (time, status, arm, then covariates; no quoting, no NA). */
export function loadStrataFixture(name: string): StrataFixture {
  const text = readFileSync(join(__dirname, 'fixtures', `strata-${name}.csv`), 'utf8');
  const [header, ...lines] = text
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  const columns = new Map(header.map((h, c) => [h, lines.map((l) => l[c])]));
  const get = (c: string): string[] => columns.get(c) ?? [];
  const rows: CohortRows = { time: get('time').map(Number), event: get('status').map(Number), group: get('arm') };
  const labels = [...new Set(rows.group)].sort();
  return { rows, columns, groups: (reference) => [reference, ...labels.filter((g) => g !== reference)] };
}

/** Relative differences seen by a test file, for the largest deviation from R. */
export class Deviations {
  max = 0;
  where = '';

  relative(path: string, actual: number | null | undefined, expected: number | null | undefined): void {
    if (typeof actual !== 'number' || typeof expected !== 'number') return;
    const scale = Math.max(Math.abs(actual), Math.abs(expected));
    // Near 0 (below the tolerance) the comparison is absolute, and so is the deviation.
    const rel = scale < 1e-6 ? Math.abs(actual - expected) : Math.abs(actual - expected) / scale;
    if (rel > this.max) {
      this.max = rel;
      this.where = path;
    }
  }
}
