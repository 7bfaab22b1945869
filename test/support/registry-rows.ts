import { modulus11CheckDigit } from '@trial/linkage';
import { nrsColumns, onsColumns } from '../../libs/registry/src/layouts';

// One valid registration row of each layout, as the registry specs start from (then change a field).

/** An ONS file's header line. */
export const ONS_HEADER = onsColumns.join(',');

/** The first valid NHS number (Modulus 11) from the nine digits `first9` up, for rows that pass validation. */
export function validNhs(first9: number): string {
  for (let n = first9; ; n++) {
    const digits = String(n).padStart(9, '0');
    const check = modulus11CheckDigit(digits);
    if (check !== null) return digits + String(check);
  }
}

/** The NRS row's CHI: 03/02/41, ninth digit 3 (odd: male), with its check digit. */
export const CHI_FIRST9 = '030241123';

export const onsRow = (o: Partial<Record<(typeof onsColumns)[number], string>> = {}): Record<string, string> => ({
  RECORD_ID: 'D2009-000123',
  RECORD_VERSION: '1',
  NOTIFICATION_TYPE: 'D',
  DEC_CONF_NHS_NUMBER: '9434765919',
  DEC_DATE_OF_BIRTH: '19410203',
  DEC_SEX: '1',
  DEC_SURNAME: 'SMITH',
  DEC_FORENAMES: 'JOHN PAUL',
  DEC_POSTCODE: 'SE1 7EH',
  REG_DATE_OF_DEATH: '20090630',
  REG_DATE: '20090706',
  S_UNDERLYING_COD_ICD10: 'I21.9',
  POD_CODE: 'hospital',
  EVENT_DATE: '',
  CANCELLED_FLAG: '',
  ...o,
});

export const nrsRow = (o: Partial<Record<(typeof nrsColumns)[number], string>> = {}): Record<string, string> => ({
  ENTRY_ID: 'S2009-1',
  VERSION: '1',
  TYPE: 'D',
  CHI: `${CHI_FIRST9}${modulus11CheckDigit(CHI_FIRST9)}`,
  DATE_OF_BIRTH: '1941-02-03',
  SEX: 'M',
  SURNAME: 'REID',
  FORENAMES: 'JOHN',
  POSTCODE: 'EH1 1AA',
  DATE_OF_DEATH: '2009-06-30',
  DATE_OF_REGISTRATION: '2009-07-02',
  UNDERLYING_CAUSE: 'I21.9',
  EVENT_DATE: '',
  CANCELLED: '',
  ...o,
});

/** The ONS row as one line of a file (columns in layout order), a field changed where `o` gives it. */
export const onsLine = (o: Partial<Record<(typeof onsColumns)[number], string>> = {}): string => {
  const base = onsRow();
  return onsColumns.map((c) => o[c] ?? base[c]).join(',');
};

/** The NRS row as one line of a file. */
export const nrsLine = (o: Partial<Record<(typeof nrsColumns)[number], string>> = {}): string => {
  const base = nrsRow();
  return nrsColumns.map((c) => o[c] ?? base[c]).join(',');
};
