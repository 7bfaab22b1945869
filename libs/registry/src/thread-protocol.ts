import { Layout } from './layouts';
import { ReadOptions, RegistryFileProblem } from './reader';
import { RowResult } from './validate';

/** A row result with its layout and, when an `enrich` module was given, what it computed for a valid row. */
export type ReadRow = RowResult & { layout: Layout; extra?: unknown };

/** What the reader worker is started with (workerData). */
export interface WorkerInput {
  options: ReadOptions;
  batchSize: number;
  maxUnacked: number;
  /** A module whose `enrich(record)` runs on the reader thread for each valid row; null for none. */
  enrich: string | null;
}

export type ToWorker = { t: 'chunk'; buf: Uint8Array } | { t: 'end' } | { t: 'ack' };

export type ToMain =
  | { t: 'more' }
  | { t: 'rows'; rows: ReadRow[] }
  | { t: 'done' }
  | { t: 'fail'; error: { kind: 'file'; code: RegistryFileProblem; message: string } | { kind: 'other'; code: null; message: string } };
