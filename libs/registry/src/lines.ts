/**
 * The bound on one line of an extract, in bytes (its line break not counted). A registration
 * is fifteen short cells, a few hundred bytes; the contracts bound each text field (200
 * characters for an id, a few hundred for a name). 64 KiB is far above any real row and small
 * enough that holding one costs nothing: a longer line is one reject, its bytes never kept.
 */
export const MAX_LINE_BYTES = 64 * 1024;

/** One physical line: its text, or, when it is longer than the bound, only its length. */
export type ExtractLine = { line: number; text: string } | { line: number; text: null; bytes: number };

const LF = 0x0a;

/**
 * Splits a byte stream into lines at LF (a CR before it is dropped), numbered from 1, in
 * constant memory: at most `maxBytes` of an unfinished line are held, and the bytes of a line
 * beyond the bound are counted and dropped, never joined into a string. Whatever a line holds
 * (an unclosed quote, a megabyte of one field, binary), the next line starts afresh, so one
 * bad line can never take its neighbours with it. Yields the lines chunk by chunk (an array a
 * chunk), which keeps the per-line cost to a loop step rather than an await.
 *
 * A line is cut only at LF, which in UTF-8 is never part of a multi-byte character, so each
 * line decodes on its own. A byte order mark at the start of the first line is dropped.
 */
export async function* boundedLines(input: AsyncIterable<Buffer | string>, maxBytes = MAX_LINE_BYTES): AsyncGenerator<ExtractLine[]> {
  let parts: Buffer[] = [];
  /** Bytes of the current line so far (all of them counted; held only while within the bound). */
  let total = 0;
  let lastByte = -1;
  let n = 0;
  const add = (piece: Buffer): void => {
    if (piece.length === 0) return;
    total += piece.length;
    lastByte = piece[piece.length - 1];
    // +1: a CR that turns out to end the line is not part of it.
    if (total > maxBytes + 1) parts = [];
    // A copy: the stream may reuse the memory of a chunk it has handed over.
    else parts.push(Buffer.from(piece));
  };
  const finish = (): ExtractLine => {
    n++;
    const bytes = total - (lastByte === CR ? 1 : 0);
    const held = parts;
    parts = [];
    total = 0;
    lastByte = -1;
    if (bytes > maxBytes) return { line: n, text: null, bytes };
    let text = (held.length === 1 ? held[0] : Buffer.concat(held)).toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (n === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
    return { line: n, text };
  };
  for await (const raw of input) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    const out: ExtractLine[] = [];
    let start = 0;
    for (;;) {
      const lf = chunk.indexOf(LF, start);
      if (lf < 0) {
        add(chunk.subarray(start));
        break;
      }
      if (total === 0) {
        // The whole line is in this chunk: decoded from it directly, no copy.
        total = lf - start;
        lastByte = total > 0 ? chunk[lf - 1] : -1;
        parts = total > maxBytes + 1 ? [] : [chunk.subarray(start, lf)];
      } else {
        add(chunk.subarray(start, lf));
      }
      out.push(finish());
      start = lf + 1;
    }
    if (out.length > 0) yield out;
  }
  if (total > 0) yield [finish()];
}

const CR = 0x0d;
