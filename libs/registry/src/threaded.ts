import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { workerScript } from '@trial/contracts';
import { ReadOptions, RegistryFileError } from './reader';
import { ReadRow, ToMain, ToWorker, WorkerInput } from './thread-protocol';

export type { ReadRow } from './thread-protocol';

export interface RowBatch {
  rows: ReadRow[];
  /** Bytes of the input handed to the parser so far (for a progress bar). */
  bytes: number;
}

export interface ThreadedReadOptions extends ReadOptions {
  /** Rows a batch. Default 1000. */
  batchSize?: number;
  /** Batches the worker may post before the consumer has taken them. Default 4. */
  maxUnacked?: number;
  /**
   * The path of a module exporting `enrich(record: RegistryRecord)`: run on the reader thread
   * for each valid row, its result (structured-cloneable) arrives as the row's `extra`. Work
   * moved off the consumer's thread.
   */
  enrich?: string;
}

/**
 * `readRegistry` run on a worker thread: the same row results in the same order, in batches.
 *
 * Why: parsing and validating a CSV extract is about a third of the work of `followup link` and
 * of ingest; on a worker it runs on the second core while this thread links or publishes.
 * The input stays a stream read here (a file or an HTTP upload): chunks go to the worker only
 * when its parser asks for one, and the worker stops after `maxUnacked` batches the consumer
 * has not taken, so memory stays constant whatever the file's size.
 *
 * Errors: an unreadable header is the same RegistryFileError as readRegistry's; an error of the
 * input stream (a missing file...) is rethrown as is. Leaving the loop early stops the worker.
 */
export async function* readRegistryThreaded(input: Readable, options: ThreadedReadOptions): AsyncGenerator<RowBatch> {
  const workerInput: WorkerInput = {
    options: { layout: options.layout, extractedOn: options.extractedOn },
    batchSize: options.batchSize ?? 1000,
    maxUnacked: options.maxUnacked ?? 4,
    enrich: options.enrich ?? null,
  };
  const { file, execArgv } = workerScript(__dirname, 'reader.worker');
  const worker = new Worker(file, { workerData: workerInput, execArgv: execArgv ?? [] });
  const inbox: ToMain[] = [];
  let wake: (() => void) | null = null;
  let crashed: Error | null = null;
  let exited = false;
  const notify = (): void => {
    const w = wake;
    wake = null;
    if (w) w();
  };
  worker.on('message', (m: ToMain) => {
    inbox.push(m);
    notify();
  });
  worker.on('error', (e) => {
    crashed = e;
    notify();
  });
  worker.on('exit', () => {
    exited = true;
    notify();
  });
  // Listen from the start: a stream that fails before its first read (a missing file) would
  // otherwise raise an unhandled 'error'. The iterator below rethrows the same error.
  let inputError: Error | null = null;
  input.on('error', (e) => {
    inputError = e;
    notify();
  });
  const send = (m: ToWorker, transfer?: ArrayBuffer[]): void => worker.postMessage(m, transfer);
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  let bytes = 0;
  let finished = false;
  try {
    for (;;) {
      while (inbox.length === 0) {
        if (inputError !== null) throw inputError;
        if (crashed !== null) throw crashed;
        if (exited) throw new Error('the registry reader thread stopped before the end of the extract');
        await new Promise<void>((resolve) => (wake = resolve));
      }
      const m = inbox.shift() as ToMain;
      switch (m.t) {
        case 'more': {
          if (inputError !== null) throw inputError;
          const next = await chunks.next();
          if (next.done) {
            send({ t: 'end' });
            break;
          }
          // An exact copy, whose memory moves to the worker: the chunk may be a view of a
          // buffer the stream shares.
          const copy = typeof next.value === 'string' ? new Uint8Array(Buffer.from(next.value, 'utf8')) : new Uint8Array(next.value);
          bytes += copy.byteLength;
          send({ t: 'chunk', buf: copy }, [copy.buffer as ArrayBuffer]);
          break;
        }
        case 'rows':
          yield { rows: m.rows, bytes };
          send({ t: 'ack' });
          break;
        case 'done':
          finished = true;
          return;
        case 'fail':
          if (m.error.kind === 'file') throw new RegistryFileError(m.error.code, m.error.message);
          throw new Error(`registry reader thread failed: ${m.error.message}`);
        default: {
          const never: never = m;
          throw new Error(`unknown message ${JSON.stringify(never)}`);
        }
      }
    }
  } finally {
    if (!finished) input.destroy();
    if (!exited) await worker.terminate();
  }
}
