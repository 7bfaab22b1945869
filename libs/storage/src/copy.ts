import type { EntityManager } from 'typeorm';

/**
 * `COPY table (columns) FROM STDIN` through node-postgres, for bulk writes (replay, the linkage audit): one
 * statement that streams rows, without the per-row parse of a jsonb_to_recordset payload. pg
 * runs any object with `submit` as a query (pg-cursor does the same); this one answers the
 * server's CopyInResponse with the rows in text format and settles on ReadyForQuery (or the
 * first error). It runs on the transaction's own connection, so it commits or rolls back with it.
 */

/** The part of pg's connection a COPY FROM STDIN uses. */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

interface PgClient {
  query(submittable: object): unknown;
}

/** A column value: text as is, objects as JSON (jsonb columns), null as NULL. */
export type CopyValue = string | number | boolean | null | object;

/**
 * What every COPY FROM STDIN submittable shares: it sends its statement, and settles once, on
 * ReadyForQuery or on the first error. Subclasses answer the server's CopyInResponse.
 */
export abstract class CopySubmittable {
  private settled = false;

  constructor(
    private readonly text: string,
    private readonly done: (e: Error | null) => void,
  ) {}

  submit(connection: { query(text: string): void }): void {
    connection.query(this.text);
  }

  handleCommandComplete(): void {
    // The row count is not needed; ReadyForQuery follows.
  }

  handleError(e: Error): void {
    this.settle(e);
  }

  handleReadyForQuery(): void {
    this.settle(null);
  }

  private settle(e: Error | null): void {
    if (this.settled) return;
    this.settled = true;
    this.done(e);
  }
}

/** Rows already in text, sent chunk by chunk. */
class CopyIn extends CopySubmittable {
  constructor(
    text: string,
    private readonly chunks: Buffer[],
    done: (e: Error | null) => void,
  ) {
    super(text, done);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    for (const c of this.chunks) connection.sendCopyFromChunk(c);
    connection.endCopyFrom();
  }
}

/** The node-postgres connection of a transaction's EntityManager, for a COPY on it (`who` names the caller in the error). */
export async function copyClient(tx: EntityManager, who: string): Promise<PgClient> {
  const runner = tx.queryRunner;
  if (!runner) throw new Error(`${who} needs the EntityManager of a transaction`);
  const client: unknown = await runner.connect();
  if (!isPgClient(client)) throw new Error(`${who} needs a node-postgres connection`);
  return client;
}

const SPECIAL = /[\\\t\n\r]/;

/** One field in COPY's text format: backslash, tab, newline and carriage return escaped; `\N` is NULL. */
export function copyField(v: CopyValue): string {
  if (v === null) return '\\N';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  // JSON.stringify writes tab, newline and carriage return as escapes, so its text can hold a
  // backslash only; most hold none, and a search for one is cheaper than the replace (the
  // audit's JSON, about 1 KB a decision, is most of what the linkage service copies).
  const s = typeof v === 'object' ? JSON.stringify(v) : v;
  if (typeof v === 'object' ? s.indexOf('\\') === -1 : !SPECIAL.test(s)) return s;
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

function isPgClient(c: unknown): c is PgClient {
  return typeof c === 'object' && c !== null && typeof (c as { query?: unknown }).query === 'function';
}

/**
 * Copies rows into `table` on the transaction's connection. `columns` and `table` are
 * identifiers of this code, never input. Rows are sent in chunks of about 1 MiB.
 */
export async function copyRows(tx: EntityManager, table: string, columns: readonly string[], list: Iterable<readonly CopyValue[]>): Promise<void> {
  const chunks: Buffer[] = [];
  let part: string[] = [];
  let size = 0;
  for (const row of list) {
    const line = `${row.map(copyField).join('\t')}\n`;
    part.push(line);
    size += line.length;
    if (size >= 1 << 20) {
      chunks.push(Buffer.from(part.join(''), 'utf8'));
      part = [];
      size = 0;
    }
  }
  if (part.length) chunks.push(Buffer.from(part.join(''), 'utf8'));
  if (!chunks.length) return;
  const client = await copyClient(tx, 'copyRows');
  await new Promise<void>((resolve, reject) => {
    client.query(new CopyIn(`copy ${table} (${columns.join(', ')}) from stdin`, chunks, (e) => (e ? reject(e) : resolve())));
  });
}
