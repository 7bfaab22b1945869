import type { LogEvent } from '@trial/readmodel';

/** A batch of raw message values for the decode worker (decode.worker.ts), packed into one transferable buffer. */
export interface ToDecode {
  seq: number;
  kind: 'enrollments' | 'outcomes';
  packed: ArrayBuffer;
}

/** A batch decoded: its valid events in order with their content hashes, and how many did not decode. */
export interface Decoded {
  seq: number;
  events: LogEvent[];
  hashes: string[];
  invalid: number;
}

/** Packs values as [count][length, -1 for null]... then the bytes: one buffer that moves to the worker without a copy. */
export function packValues(values: ReadonlyArray<Buffer | null>): ArrayBuffer {
  let bytes = 0;
  for (const v of values) bytes += v === null ? 0 : v.length;
  const buffer = new ArrayBuffer(4 + 4 * values.length + bytes);
  const out = new Uint8Array(buffer);
  const view = new DataView(buffer);
  view.setUint32(0, values.length);
  let at = 4 + 4 * values.length;
  values.forEach((v, i) => {
    view.setInt32(4 + 4 * i, v === null ? -1 : v.length);
    if (v !== null) {
      out.set(v, at);
      at += v.length;
    }
  });
  return buffer;
}

/** The values packValues packed, in order (views over the one buffer). */
export function unpackValues(packed: ArrayBuffer): Array<Buffer | null> {
  const view = new DataView(packed);
  const n = view.getUint32(0);
  const out: Array<Buffer | null> = [];
  let at = 4 + 4 * n;
  for (let i = 0; i < n; i++) {
    const len = view.getInt32(4 + 4 * i);
    if (len < 0) out.push(null);
    else {
      out.push(Buffer.from(packed, at, len));
      at += len;
    }
  }
  return out;
}
