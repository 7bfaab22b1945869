import { Message } from 'kafkajs';

/** A dead letter for one rejected row (a handful per extract, so kept as plain strings). */
export interface DeadLetter {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/**
 * A batch of notifications with their keys and values as UTF-8 in one buffer (message i's key
 * is bytes[ends[2i-1] .. ends[2i]), its value bytes[ends[2i] .. ends[2i+1]), with ends[-1] = 0),
 * plus the batch's dead letters. One buffer rather than thousands of strings because it moves
 * to the publishing thread without a copy (a transfer), and kafkajs takes Buffer keys and values
 * as they are, where it would encode a string itself.
 */
export interface PackedBatch {
  bytes: Uint8Array;
  ends: Uint32Array;
  count: number;
  deadLetters: DeadLetter[];
}

/** The transferable memory of a batch (postMessage's transfer list). */
export const transferables = (b: PackedBatch): ArrayBuffer[] => [b.bytes.buffer as ArrayBuffer, b.ends.buffer as ArrayBuffer];

/** Collects messages into a PackedBatch; `take` hands the batch over and starts a new one. */
export class BatchBuilder {
  private bytes: Buffer;
  private ends: Uint32Array;
  private used = 0;
  private n = 0;
  private deadLetters: DeadLetter[] = [];

  /** `rows`: the expected batch size; `bytesPerRow`: a first guess of a message's size (grown as needed). */
  constructor(
    private readonly rows: number,
    private readonly bytesPerRow = 512,
  ) {
    this.bytes = Buffer.allocUnsafeSlow(rows * bytesPerRow);
    this.ends = new Uint32Array(rows * 2);
  }

  get count(): number {
    return this.n + this.deadLetters.length;
  }

  add(key: string, value: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: room for that means the writes cannot truncate.
    this.reserve(3 * (key.length + value.length));
    if (this.ends.length < 2 * (this.n + 1)) this.ends = grow(this.ends, 2 * this.ends.length);
    this.used += this.bytes.write(key, this.used, 'utf8');
    this.ends[2 * this.n] = this.used;
    this.used += this.bytes.write(value, this.used, 'utf8');
    this.ends[2 * this.n + 1] = this.used;
    this.n++;
  }

  addDeadLetter(d: DeadLetter): void {
    this.deadLetters.push(d);
  }

  take(): PackedBatch {
    // Copies of exactly the used length: the batch is transferred away, so it must not share
    // memory with the next one; the builder keeps its (now reusable) buffers.
    const batch: PackedBatch = {
      bytes: new Uint8Array(this.bytes.subarray(0, this.used)),
      ends: this.ends.slice(0, 2 * this.n),
      count: this.n,
      deadLetters: this.deadLetters,
    };
    this.used = 0;
    this.n = 0;
    this.deadLetters = [];
    return batch;
  }

  private reserve(extra: number): void {
    if (this.used + extra <= this.bytes.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(2 * this.bytes.length, this.used + extra));
    this.bytes.copy(next, 0, 0, this.used);
    this.bytes = next;
  }
}

function grow(a: Uint32Array, length: number): Uint32Array {
  const b = new Uint32Array(length);
  b.set(a);
  return b;
}

/** kafkajs messages of a batch: keys and values are views of its buffer (no copy). */
export function unpack(b: PackedBatch): Message[] {
  const buf = Buffer.from(b.bytes.buffer, b.bytes.byteOffset, b.bytes.byteLength);
  const out: Message[] = new Array(b.count);
  let start = 0;
  for (let i = 0; i < b.count; i++) {
    const keyEnd = b.ends[2 * i];
    const valueEnd = b.ends[2 * i + 1];
    out[i] = { key: buf.subarray(start, keyEnd), value: buf.subarray(keyEnd, valueEnd) };
    start = valueEnd;
  }
  return out;
}
