import { Worker } from 'node:worker_threads';
import { workerScript } from '@trial/contracts';
import type { LogEvent } from '@trial/readmodel';
import { packValues, type Decoded, type ToDecode } from './decode-protocol';

/**
 * Decodes the log's batches on a worker thread (decode.worker.ts): the schema check and the
 * content hash of each event, which is most of replay's CPU outside the fold, run beside the
 * fold instead of before it. Batches go out as they are read (at most `maxInFlight` at once, so
 * memory stays bounded) and come back to `take` in the order they were submitted, so the fold
 * sees the log in the order it was read, as with decoding in place.
 */
export class LogDecoder {
  private readonly worker: Worker;
  private submitted = 0;
  private taken = 0;
  private invalid = 0;
  private readonly back = new Map<number, Decoded>();
  private failure: Error | null = null;
  private waiters: Array<() => void> = [];
  private exited = false;

  constructor(
    private readonly take: (events: readonly LogEvent[], hashes: readonly string[]) => void,
    private readonly onFailure: (e: Error) => void = () => undefined,
    private readonly maxInFlight = 8,
  ) {
    const { file, execArgv } = workerScript(__dirname, 'decode.worker');
    this.worker = new Worker(file, { execArgv: execArgv ?? [] });
    this.worker.on('message', (m: Decoded) => this.arrived(m));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => {
      this.exited = true;
      if (this.taken < this.submitted) this.fail(new Error(`the log's decode worker stopped (exit ${code}) with batches outstanding`));
    });
  }

  /** Sends one batch of raw values (of one topic kind) to be decoded; waits while too many are out. */
  async submit(kind: ToDecode['kind'], values: ReadonlyArray<Buffer | null>): Promise<void> {
    while (this.submitted - this.taken >= this.maxInFlight && this.failure === null) await this.turn();
    if (this.failure) throw this.failure;
    const packed = packValues(values);
    const m: ToDecode = { seq: this.submitted++, kind, packed };
    this.worker.postMessage(m, [packed]);
  }

  /** Waits until every batch submitted has been handed to `take`; returns how many messages did not decode. */
  async finish(): Promise<number> {
    while (this.taken < this.submitted && this.failure === null) await this.turn();
    if (this.failure) throw this.failure;
    return this.invalid;
  }

  private arrived(m: Decoded): void {
    this.back.set(m.seq, m);
    for (let d = this.back.get(this.taken); d !== undefined; d = this.back.get(this.taken)) {
      this.back.delete(this.taken);
      this.taken++;
      this.invalid += d.invalid;
      try {
        this.take(d.events, d.hashes);
      } catch (e) {
        this.fail(e instanceof Error ? e : new Error(String(e)));
        return;
      }
    }
    this.wake();
  }

  /** Stops the worker (after finish, or when the read ends early). */
  async close(): Promise<void> {
    if (!this.exited) await this.worker.terminate();
  }

  private fail(e: Error): void {
    if (this.failure === null) {
      this.failure = e;
      this.onFailure(e);
    }
    this.wake();
  }

  private turn(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
