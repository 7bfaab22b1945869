// The worker side of readRegistryThreaded (threaded.ts): parses and validates the extract that
// the main thread feeds it chunk by chunk, and posts the row results back in batches. It asks
// for a chunk only when the parser wants one, and stops parsing while too many batches are
// unacknowledged, so neither side buffers more than a few batches.
import { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { RegistryFileError, readRegistry } from './reader';
import { RegistryRecord } from '@trial/contracts';
import { ReadRow, ToMain, ToWorker, WorkerInput } from './thread-protocol';

const port = parentPort;
if (port === null) throw new Error('reader.worker must run in a worker thread');
const input = workerData as WorkerInput;
const post = (m: ToMain): void => port.postMessage(m);
// The caller's per-row work (e.g. linkage's preparation of a record), loaded by path because a
// function cannot be sent to a thread.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const enrich = input.enrich === null ? null : (require(input.enrich) as { enrich: (r: RegistryRecord) => unknown }).enrich;

let wanting = false;
let unacked = 0;
let resumeParsing: (() => void) | null = null;

const source = new Readable({
  read() {
    if (wanting) return;
    wanting = true;
    post({ t: 'more' });
  },
});

port.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'chunk':
      wanting = false;
      source.push(Buffer.from(m.buf.buffer, m.buf.byteOffset, m.buf.byteLength));
      return;
    case 'end':
      wanting = false;
      source.push(null);
      return;
    case 'ack':
      unacked--;
      if (resumeParsing !== null && unacked < input.maxUnacked) {
        const go = resumeParsing;
        resumeParsing = null;
        go();
      }
      return;
    default: {
      const never: never = m;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
});

async function run(): Promise<void> {
  let batch: ReadRow[] = [];
  const flush = async (): Promise<void> => {
    post({ t: 'rows', rows: batch });
    batch = [];
    unacked++;
    if (unacked >= input.maxUnacked) await new Promise<void>((resolve) => (resumeParsing = resolve));
  };
  for await (const r of readRegistry(source, input.options)) {
    const row: ReadRow = r;
    if (enrich !== null && r.ok) row.extra = enrich(r.record);
    batch.push(row);
    if (batch.length >= input.batchSize) await flush();
  }
  if (batch.length > 0) post({ t: 'rows', rows: batch });
  post({ t: 'done' });
}

run().then(
  () => port.close(),
  (e: unknown) => {
    const error =
      e instanceof RegistryFileError
        ? { kind: 'file' as const, code: e.code, message: e.message }
        : { kind: 'other' as const, code: null, message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    post({ t: 'fail', error });
    port.close();
  },
);
