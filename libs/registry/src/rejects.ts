import { Writable } from 'node:stream';
import { stringify, Stringifier } from 'csv-stringify';
import { csvCast } from '@trial/contracts';
import { RowError } from './validate';

/** One line of a report: the file line, the column, and what is wrong with it. */
export interface ReportLine {
  line: number;
  field: string;
  reason: string;
}

/**
 * A row report: CSV `line,field,reason`, one entry a line, in the order given. No record
 * content is copied into it beyond the reason (no names, dates or numbers from other columns),
 * so it can be shared with the registry.
 */
class LineReportWriter {
  private readonly csv: Stringifier;
  private readonly done: Promise<void>;
  count = 0;

  constructor(output: Writable) {
    // The field can be a header cell of the extract as sent: escaped like every text cell (csvCast).
    this.csv = stringify({ header: true, columns: ['line', 'field', 'reason'], cast: csvCast });
    this.done = new Promise((resolve, reject) => {
      output.on('finish', resolve);
      output.on('error', reject);
      this.csv.on('error', reject);
    });
    this.csv.pipe(output);
  }

  /** Writes one entry; resolves when the stream can take more (back-pressure). */
  async write(entry: ReportLine | RowError): Promise<void> {
    this.count++;
    if (!this.csv.write([entry.line, entry.field, entry.reason])) {
      await new Promise<void>((resolve) => this.csv.once('drain', () => resolve()));
    }
  }

  /** Ends the report and waits until it is flushed. */
  async close(): Promise<void> {
    this.csv.end();
    await this.done;
  }
}

/** The rejects report: the rows that are no registration (not published; also dead-lettered). */
export class RejectsWriter extends LineReportWriter {}

/**
 * The warnings report: damage to one field of a row that was kept and published (feeds.md,
 * "Identifier checks"), one warning a line; a row may have several.
 */
export class WarningsWriter extends LineReportWriter {}
