import { Writable } from 'node:stream';
import { stringify, Stringifier } from 'csv-stringify';
import { RowError } from './validate';

/**
 * The rejects report: CSV `line,field,reason`, one invalid row a line, in the order given.
 * No record content is copied into it beyond the reason (no names, dates or numbers from
 * other columns), so it can be shared with the registry.
 */
export class RejectsWriter {
  private readonly csv: Stringifier;
  private readonly done: Promise<void>;
  count = 0;

  constructor(output: Writable) {
    this.csv = stringify({ header: true, columns: ['line', 'field', 'reason'] });
    this.done = new Promise((resolve, reject) => {
      output.on('finish', resolve);
      output.on('error', reject);
      this.csv.on('error', reject);
    });
    this.csv.pipe(output);
  }

  /** Writes one error; resolves when the stream can take more (back-pressure). */
  async write(error: RowError): Promise<void> {
    this.count++;
    if (!this.csv.write([error.line, error.field, error.reason])) {
      await new Promise<void>((resolve) => this.csv.once('drain', () => resolve()));
    }
  }

  /** Ends the report and waits until it is flushed. */
  async close(): Promise<void> {
    this.csv.end();
    await this.done;
  }
}
