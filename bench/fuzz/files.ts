import { Readable } from 'node:stream';
import { onsColumns } from '@trial/registry';
import { nhsNumberFrom } from '../../apps/cli/src/demo/small-trial';

/**
 * The hostile files, as one ONS extract: valid rows with a bad one between
 * each pair, so a bad row that cost a neighbour shows as a missing valid row. Every person in
 * it has a rare surname, forename, NHS number, date of birth and postcode, listed in
 * `identifiers`, so that a reason, a report or a log line that quotes one is found by a grep.
 */
export interface HostileExtract {
  /** The file, generated as it is read (a huge line is never held whole). */
  input: () => Readable;
  /** Record ids of the rows that must be published, in file order. */
  valid: string[];
  /** Lines that must be rejected, each with the field named. */
  rejects: Array<{ line: number; field: string }>;
  /** Lines that are kept with a warning. */
  warned: number[];
  /** Every personal value the file holds (to grep for). */
  identifiers: string[];
  /** Bytes of the one huge line. */
  hugeLineBytes: number;
}

type Cells = Partial<Record<(typeof onsColumns)[number], string>>;

const SURNAMES = [
  'QUILLFEATHER',
  'MARCHBANKS',
  'ODDFELLOW',
  'PENHALIGON',
  'THRELFALL',
  'WAINWRIGHT',
  'ACKROYDE',
  'BRADSHAWE',
  'CLEGHORNE',
  'DRINKWATER',
  'ETHERIDGE',
  'FOTHERGILL',
  'GARGRAVE',
  'HEPPLEWHITE',
];
const FORENAMES = [
  'ALOYSIUS',
  'BATHSHEBA',
  'CORNELIUS',
  'DRUSILLA',
  'EBENEZER',
  'FENELLA',
  'GIDEON',
  'HEPZIBAH',
  'IGNATIUS',
  'JEMIMA',
  'KESTER',
  'LAVINIA',
  'MORDECAI',
  'NERISSA',
];
const POSTCODES = [
  'YO17 9QZ',
  'TR19 7AA',
  'ZE2 9XJ',
  'HS8 5SH',
  'KW17 2QT',
  'PA78 6TB',
  'IV27 4HX',
  'LA22 0JQ',
  'DG9 9RL',
  'TD15 1XY',
  'NR25 7WB',
  'SA62 6PY',
  'LL53 8HA',
  'EX39 5TU',
];

/**
 * `id` prefixes every record id (unique per run); `hugeLineBytes` sizes the one huge line (a
 * single field of that many bytes, quoted: the 600 MB field and 200 MB line once sent).
 * `withTextRule`: also a name with a NUL and one with a control character, which the one text
 * rule of the contracts keeps from passing the edge: the name is dropped with
 * a warning and the death kept.
 */
export function hostileExtract(id: string, hugeLineBytes: number, withTextRule = true): HostileExtract {
  const identifiers: string[] = [];
  const valid: string[] = [];
  const rejects: Array<{ line: number; field: string }> = [];
  const warned: number[] = [];
  const lines: Array<string | 'HUGE'> = [onsColumns.join(',')];
  let person = 0;
  const row = (recordId: string, over: Cells = {}): string => {
    const k = person++;
    const nhs = nhsNumberFrom(612_000_000 + k * 7_717);
    const dob = `19${30 + k}0${1 + (k % 9)}1${k % 10}`;
    const cells: Record<string, string> = {
      RECORD_ID: recordId,
      RECORD_VERSION: '1',
      NOTIFICATION_TYPE: 'D',
      DEC_CONF_NHS_NUMBER: nhs,
      DEC_DATE_OF_BIRTH: dob,
      DEC_SEX: '2',
      DEC_SURNAME: SURNAMES[k % SURNAMES.length],
      DEC_FORENAMES: FORENAMES[k % FORENAMES.length],
      DEC_POSTCODE: POSTCODES[k % POSTCODES.length],
      REG_DATE_OF_DEATH: '20110630',
      REG_DATE: '20110706',
      S_UNDERLYING_COD_ICD10: 'I21.9',
      POD_CODE: 'H',
      EVENT_DATE: '',
      CANCELLED_FLAG: '',
    };
    identifiers.push(nhs, dob, `${dob.slice(0, 4)}-${dob.slice(4, 6)}-${dob.slice(6)}`, cells.DEC_SURNAME, cells.DEC_FORENAMES, cells.DEC_POSTCODE);
    return onsColumns.map((c) => over[c] ?? cells[c]).join(',');
  };
  const good = (over: Cells = {}): void => {
    const recordId = `${id}-V${valid.length + 1}`;
    valid.push(recordId);
    lines.push(row(recordId, over));
  };
  const bad = (field: string, text: string): void => {
    rejects.push({ line: lines.length + 1, field });
    lines.push(text);
  };
  const surname = () => SURNAMES[person % SURNAMES.length];
  good();
  bad('DEC_SURNAME', row(`${id}-B1`, { DEC_SURNAME: `"${surname()}` })); // an unclosed quote
  good();
  bad('DEC_SURNAME', row(`${id}-B2`, { DEC_SURNAME: `O"${surname()}` })); // a quote inside a name
  good();
  bad('(row)', row(`${id}-B3`, { DEC_FORENAMES: 'X'.repeat(1_500_000) })); // a 1.5 MB row
  good();
  bad('NOTIFICATION_TYPE', row(`${id}-B4`, { NOTIFICATION_TYPE: surname() })); // a value a reason once quoted
  good();
  bad('RECORD_VERSION', row(`${id}-B5`, { RECORD_VERSION: surname() }));
  good();
  bad('DEC_SURNAME', row(`${id}-B6`, { DEC_SURNAME: `"${surname()}"JR` })); // text after a closing quote
  warned.push(lines.length + 1);
  good({ DEC_CONF_NHS_NUMBER: '6120000001' }); // fails Modulus 11: kept, warned
  bad('(row)', row(`${id}-B7`).split(',').slice(0, 9).join(',')); // too few cells
  if (withTextRule) {
    // a NUL (the one text rule): the name dropped, warned, the death kept
    warned.push(lines.length + 1);
    good({ DEC_SURNAME: `${surname()}\u0000X` });
  }
  good({ DEC_FORENAMES: '=1+2' }); // a formula-like name: text, kept
  rejects.push({ line: lines.length + 1, field: '(row)' });
  lines.push('HUGE'); // one huge quoted field
  if (withTextRule) {
    // a control character: likewise
    warned.push(lines.length + 1);
    good({ DEC_FORENAMES: `ESC\u001b[2J` });
  }
  good();
  lines.push(''); // an empty line: skipped
  good();
  identifiers.push('6120000001');
  const hugeRow = row(`${id}-B8`).split(',');
  function* chunks(): Generator<Buffer> {
    for (const l of lines) {
      if (l !== 'HUGE') {
        yield Buffer.from(`${l}\r\n`);
        continue;
      }
      yield Buffer.from(`${hugeRow.slice(0, 7).join(',')},"`);
      const block = Buffer.alloc(1 << 20, 'Q'.charCodeAt(0));
      for (let left = hugeLineBytes; left > 0; left -= block.length) yield left >= block.length ? block : block.subarray(0, left);
      yield Buffer.from(`",${hugeRow.slice(8).join(',')}\r\n`);
    }
  }
  return {
    input: () => Readable.from(chunks(), { objectMode: false }),
    valid,
    rejects,
    warned,
    identifiers: [...new Set(identifiers)],
    hugeLineBytes,
  };
}
