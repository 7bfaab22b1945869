import { RegistryRecord, isRealDate, registryRecord } from '@trial/contracts';
import { checkChiNumber, checkNhsNumber } from '@trial/linkage';
import { Layout } from './layouts';

/** One invalid row: the file line, its record id when it has one, the column, and what is wrong. */
export interface RowError {
  line: number;
  recordId: string | null;
  field: string;
  reason: string;
}

export type RowResult = { ok: true; line: number; record: RegistryRecord } | { ok: false; line: number; error: RowError };

export interface RowContext {
  line: number;
  /** The extract date every record of the file carries (passed in: library code reads no clock). */
  extractedOn: string;
}

/** Column names of a layout, by meaning. */
interface Columns {
  recordId: string; version: string; type: string; id: string; dob: string; sex: string;
  surname: string; forenames: string; postcode: string; dod: string; dor: string; cause: string;
  place: string | null; eventDate: string; cancelled: string;
}

const columns: Record<Layout, Columns> = {
  ons: {
    recordId: 'RECORD_ID', version: 'RECORD_VERSION', type: 'NOTIFICATION_TYPE', id: 'DEC_CONF_NHS_NUMBER',
    dob: 'DEC_DATE_OF_BIRTH', sex: 'DEC_SEX', surname: 'DEC_SURNAME', forenames: 'DEC_FORENAMES',
    postcode: 'DEC_POSTCODE', dod: 'REG_DATE_OF_DEATH', dor: 'REG_DATE', cause: 'S_UNDERLYING_COD_ICD10',
    place: 'POD_CODE', eventDate: 'EVENT_DATE', cancelled: 'CANCELLED_FLAG',
  },
  nrs: {
    recordId: 'ENTRY_ID', version: 'VERSION', type: 'TYPE', id: 'CHI', dob: 'DATE_OF_BIRTH', sex: 'SEX',
    surname: 'SURNAME', forenames: 'FORENAMES', postcode: 'POSTCODE', dod: 'DATE_OF_DEATH',
    dor: 'DATE_OF_REGISTRATION', cause: 'UNDERLYING_CAUSE', place: null, eventDate: 'EVENT_DATE', cancelled: 'CANCELLED',
  },
};

class RowInvalid extends Error {
  constructor(readonly field: string, readonly reason: string) {
    super(`${field}: ${reason}`);
  }
}

/** ONS dates are yyyyMMdd, NRS dates YYYY-MM-DD; both become civil dates `YYYY-MM-DD`. */
function parseDate(layout: Layout, field: string, raw: string): string | null {
  if (raw === '') return null;
  let iso: string;
  if (layout === 'ons') {
    if (!/^\d{8}$/.test(raw)) throw new RowInvalid(field, 'is not a date yyyyMMdd');
    iso = `${raw.slice(0, 4)}-${raw.slice(4, 6)}-${raw.slice(6, 8)}`;
  } else {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(raw)) throw new RowInvalid(field, 'is not a date YYYY-MM-DD');
    iso = raw;
  }
  if (!isRealDate(iso)) throw new RowInvalid(field, 'is not a real calendar date');
  return iso;
}

function parseSex(layout: Layout, field: string, raw: string): 'M' | 'F' | 'U' | null {
  if (raw === '') return null;
  switch (layout) {
    case 'ons':
      if (raw === '1') return 'M';
      if (raw === '2') return 'F';
      if (raw === '9') return 'U';
      throw new RowInvalid(field, `"${raw}" is not a sex code (1 male, 2 female, 9 not stated)`);
    case 'nrs':
      if (raw === 'M' || raw === 'F') return raw;
      throw new RowInvalid(field, `"${raw}" is not a sex (M or F)`);
    default: {
      const never: never = layout;
      throw new Error(`unknown layout ${String(never)}`);
    }
  }
}

type Kind = RegistryRecord['kind'];

function parseKind(c: Columns, type: string, cancelled: string): Kind {
  if (cancelled !== '' && cancelled !== 'Y' && cancelled !== 'N') throw new RowInvalid(c.cancelled, `"${cancelled}" is not Y, N or empty`);
  if (cancelled === 'Y' && type !== 'D') throw new RowInvalid(c.cancelled, `only a death (type D) can be cancelled, not type ${type}`);
  switch (type) {
    case 'D': return cancelled === 'Y' ? 'death-cancelled' : 'death';
    case 'E': return 'embarkation';
    case 'R': return 're-entry';
    case 'N': return 'no-trace';
    case '': throw new RowInvalid(c.type, 'is required');
    default: throw new RowInvalid(c.type, `"${type}" is not a known notification type (D, E, R, N)`);
  }
}

const orNull = (s: string): string | null => (s === '' ? null : s);

/**
 * The file column a record field comes from, for a schema issue's reject line. `extractedOn`
 * and `source` come from the ingest's options, not from a column, and are named as such.
 */
function columnOf(c: Columns, field: PropertyKey | undefined): string {
  const byField: Partial<Record<keyof RegistryRecord, string | null>> = {
    recordId: c.recordId, version: c.version, kind: c.type, nhsNumber: c.id, chiNumber: c.id, dateOfBirth: c.dob,
    sex: c.sex, familyName: c.surname, givenNames: c.forenames, postcode: c.postcode, dateOfDeath: c.dod,
    dateOfRegistration: c.dor, underlyingCause: c.cause, placeOfDeath: c.place, eventDate: c.eventDate,
  };
  const key = typeof field === 'string' ? field : '';
  return (key in byField ? byField[key as keyof RegistryRecord] : null) ?? (key || '(row)');
}

/**
 * Validates one data row of `layout` into a RegistryRecord, or names the first invalid field.
 * Checks: required fields present (record id, version, type, the date the kind needs, and at
 * least one identifying field); dates real and in order (birth ≤ death ≤ registration, birth ≤
 * event date); known kinds and sexes; NHS number Modulus 11; CHI date prefix, check digit
 * (Modulus 11 or 10), and agreement with the row's sex and date of birth. A row whose number
 * fails its check is rejected (feeds.md: it is not a valid identifier, and a silent typo in the
 * key field is what the rejects report is for).
 */
export function validateRow(layout: Layout, row: Readonly<Record<string, string>>, ctx: RowContext): RowResult {
  const c = columns[layout];
  const get = (col: string): string => (row[col] ?? '').trim();
  const recordIdRaw = get(c.recordId);
  try {
    if (recordIdRaw === '') throw new RowInvalid(c.recordId, 'is required');
    const versionRaw = get(c.version);
    if (versionRaw === '') throw new RowInvalid(c.version, 'is required');
    if (!/^\d+$/.test(versionRaw) || Number(versionRaw) < 1) throw new RowInvalid(c.version, `"${versionRaw}" is not a positive whole number`);
    const kind = parseKind(c, get(c.type).toUpperCase(), get(c.cancelled).toUpperCase());
    const sex = parseSex(layout, c.sex, get(c.sex).toUpperCase());
    const dateOfBirth = parseDate(layout, c.dob, get(c.dob));
    const dateOfDeath = parseDate(layout, c.dod, get(c.dod));
    const dateOfRegistration = parseDate(layout, c.dor, get(c.dor));
    const eventDate = parseDate(layout, c.eventDate, get(c.eventDate));
    if ((kind === 'death' || kind === 'death-cancelled') && dateOfDeath === null) throw new RowInvalid(c.dod, `is required for a death`);
    if ((kind === 'embarkation' || kind === 're-entry') && eventDate === null) throw new RowInvalid(c.eventDate, `is required for ${kind}`);
    if (dateOfBirth && dateOfDeath && dateOfDeath < dateOfBirth) throw new RowInvalid(c.dod, `is before the date of birth (${c.dob})`);
    if (dateOfDeath && dateOfRegistration && dateOfRegistration < dateOfDeath) throw new RowInvalid(c.dor, `is before the date of death (${c.dod})`);
    if (dateOfBirth && eventDate && eventDate < dateOfBirth) throw new RowInvalid(c.eventDate, `is before the date of birth (${c.dob})`);
    const idRaw = get(c.id);
    let nhsNumber: string | null = null;
    let chiNumber: string | null = null;
    if (idRaw !== '') {
      switch (layout) {
        case 'ons': {
          const check = checkNhsNumber(idRaw);
          if (!check.ok) throw new RowInvalid(c.id, `NHS number ${check.reason}`);
          nhsNumber = check.value;
          break;
        }
        case 'nrs': {
          const check = checkChiNumber(idRaw, { sex, dateOfBirth });
          if (!check.ok) throw new RowInvalid(c.id, `CHI number ${check.reason}`);
          chiNumber = check.value;
          break;
        }
        default: {
          const never: never = layout;
          throw new Error(`unknown layout ${String(never)}`);
        }
      }
    }
    const familyName = orNull(get(c.surname));
    const givenNames = orNull(get(c.forenames));
    if (nhsNumber === null && chiNumber === null && dateOfBirth === null && familyName === null) {
      throw new RowInvalid(c.id, 'no identifying field: one of the number, date of birth or surname is required');
    }
    const postcodeRaw = get(c.postcode);
    const record: RegistryRecord = {
      v: 1,
      source: layout === 'ons' ? 'ONS' : 'NRS',
      recordId: recordIdRaw,
      version: Number(versionRaw),
      kind,
      extractedOn: ctx.extractedOn,
      nhsNumber,
      chiNumber,
      dateOfBirth,
      sex,
      familyName: familyName === null ? null : familyName.toUpperCase(),
      givenNames: givenNames === null ? null : givenNames.toUpperCase(),
      postcode: postcodeRaw === '' ? null : postcodeRaw.toUpperCase(),
      dateOfDeath,
      dateOfRegistration,
      underlyingCause: orNull(get(c.cause)),
      placeOfDeath: c.place === null ? null : orNull(get(c.place)),
      eventDate,
    };
    // Last, the very schema the consumers decode with: a row the linkage service would refuse
    // (a version beyond what it stores, say) is this row's reject here, never a dead letter there.
    const checked = registryRecord.safeParse(record);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new RowInvalid(columnOf(c, issue.path[0]), issue.message);
    }
    return { ok: true, line: ctx.line, record: checked.data };
  } catch (e) {
    if (e instanceof RowInvalid) {
      return { ok: false, line: ctx.line, error: { line: ctx.line, recordId: recordIdRaw === '' ? null : recordIdRaw, field: e.field, reason: e.reason } };
    }
    throw e;
  }
}

