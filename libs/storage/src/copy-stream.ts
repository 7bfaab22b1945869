import { once } from 'node:events';
import type { EntityManager } from 'typeorm';
import { copyClient, copyField, CopySubmittable, type CopyValue } from './copy';

/**
 * `COPY ... FROM STDIN` that streams: rows are turned into text a chunk at a time while
 * Postgres parses the chunk before, and the socket's backpressure paces the producer. Replay
 * writes half a million patient rows (~1 GB of text) this way without holding the text in
 * memory, so the two cores work at once (copyRows builds every chunk first). Each chunk is
 * framed here as one CopyData message, written once into its own buffer (pg's serializer
 * copies a chunk into a growing buffer of its own). Runs on the transaction's connection.
 */

/** The part of pg's connection this uses: its socket, and the protocol's end and fail messages. */
interface CopyConnection {
  query(text: string): void;
  stream: NodeJS.WritableStream;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
}

const CHUNK_CHARS = 1 << 20;

/** One CopyData message ('d', int32 length including itself, the bytes). */
function frame(text: string): Buffer {
  const n = Buffer.byteLength(text, 'utf8');
  const b = Buffer.allocUnsafe(n + 5);
  b[0] = 0x64;
  b.writeInt32BE(n + 4, 1);
  b.write(text, 5, n, 'utf8');
  return b;
}

class StreamingCopyIn extends CopySubmittable {
  private failed = false;

  constructor(
    text: string,
    private readonly lines: Iterator<string>,
    done: (e: Error | null) => void,
  ) {
    super(text, done);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    this.pump(connection).catch((e: unknown) => {
      // The producer threw: abort the COPY, so Postgres answers with an error and the transaction fails.
      this.failed = true;
      connection.sendCopyFail(e instanceof Error ? e.message : String(e));
    });
  }

  private async pump(connection: CopyConnection): Promise<void> {
    let part = '';
    for (let r = this.lines.next(); !r.done; r = this.lines.next()) {
      part += r.value;
      if (part.length < CHUNK_CHARS) continue;
      if (this.failed) return;
      const more = connection.stream.write(frame(part));
      part = '';
      if (!more) await once(connection.stream, 'drain');
    }
    if (this.failed) return;
    if (part.length) connection.stream.write(frame(part));
    connection.endCopyFrom();
  }

  override handleError(e: Error): void {
    this.failed = true;
    super.handleError(e);
  }
}

/**
 * Streams `rows` into `table` (its `columns`, identifiers of this code, never input), each row
 * turned into text only when the chunk it belongs to is sent. The rows may be produced lazily
 * (a generator): they are read once, in order.
 */
export async function copyStream(tx: EntityManager, table: string, columns: readonly string[], rows: Iterable<readonly CopyValue[]>): Promise<void> {
  const client = await copyClient(tx, 'copyStream');
  function* lines(): Generator<string> {
    for (const row of rows) {
      let line = '';
      for (let i = 0; i < row.length; i++) line += (i ? '\t' : '') + copyField(row[i]);
      yield `${line}\n`;
    }
  }
  await new Promise<void>((resolve, reject) => {
    client.query(new StreamingCopyIn(`copy ${table} (${columns.join(', ')}) from stdin`, lines(), (e) => (e ? reject(e) : resolve())));
  });
}
