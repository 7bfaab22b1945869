import { CodedError, IdentifierWarning, RegistryRecord, RegistryRecordInput, isRealDate, registryRecord } from '@trial/contracts';
import { checkChiNumber, checkNhsNumber, normaliseIdentifier } from '@trial/linkage';
import { Layout, layoutColumns } from './layouts';

/** One invalid row: the file line, its record id when it has one, the column, and what is wrong. */
export interface RowError {
  line: number;
  recordId: string | null;
  field: string;
  reason: string;
}

/**
 * Damage to one field of a row that is still a registration (feeds.md, "Identifier checks"): the
 * row is kept and published, and this names the column and what is wrong with it, never the value.
 */
export interface RowWarning {
  field: string;
  reason: string;
}

/**
 * A row's result. A kept row carries its warnings ([] when none); a rejected one carries those
 * found before the reject, so a report can show both, and its version and kind when they were
 * read before the reject (null when not: the reject may be theirs).
 */
export type RowResult =
  | { ok: true; line: number; record: RegistryRecord; warnings: RowWarning[] }
  | { ok: false; line: number; error: RowError; warnings: RowWarning[]; version: number | null; kind: RegistryRecord['kind'] | null };

export interface RowContext {
  line: number;
  /** The extract date every record of the file carries (passed in: library code reads no clock). */
  extractedOn: string;
}

/** Column names of a layout, by meaning. */
interface Columns {
  recordId: string;
  version: string;
  type: string;
  id: string;
  dob: string;
  sex: string;
  surname: string;
  forenames: string;
  postcode: string;
  dod: string;
  dor: string;
  cause: string;
  place: string | null;
  eventDate: string;
  cancelled: string;
}

const columns: Record<Layout, Columns> = {
  ons: {
    recordId: 'RECORD_ID',
    version: 'RECORD_VERSION',
    type: 'NOTIFICATION_TYPE',
    id: 'DEC_CONF_NHS_NUMBER',
    dob: 'DEC_DATE_OF_BIRTH',
    sex: 'DEC_SEX',
    surname: 'DEC_SURNAME',
    forenames: 'DEC_FORENAMES',
    postcode: 'DEC_POSTCODE',
    dod: 'REG_DATE_OF_DEATH',
    dor: 'REG_DATE',
    cause: 'S_UNDERLYING_COD_ICD10',
    place: 'POD_CODE',
    eventDate: 'EVENT_DATE',
    cancelled: 'CANCELLED_FLAG',
  },
  nrs: {
    recordId: 'ENTRY_ID',
    version: 'VERSION',
    type: 'TYPE',
    id: 'CHI',
    dob: 'DATE_OF_BIRTH',
    sex: 'SEX',
    surname: 'SURNAME',
    forenames: 'FORENAMES',
    postcode: 'POSTCODE',
    dod: 'DATE_OF_DEATH',
    dor: 'DATE_OF_REGISTRATION',
    cause: 'UNDERLYING_CAUSE',
    place: null,
    eventDate: 'EVENT_DATE',
    cancelled: 'CANCELLED',
  },
};

/** A row that is no registration, at `field` for `reason` (the rule, never the value): a per-row reject. */
class RowInvalid extends CodedError<'row-invalid'> {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super('row-invalid', `${field}: ${reason}`);
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

/** The sex the code stands for; null with a warning for a code the layout does not know (the row stays a registration). */
function parseSex(layout: Layout, field: string, raw: string, warn: (w: RowWarning) => void): 'M' | 'F' | 'U' | null {
  if (raw === '') return null;
  switch (layout) {
    case 'ons':
      if (raw === '1') return 'M';
      if (raw === '2') return 'F';
      if (raw === '9') return 'U';
      warn({ field, reason: 'is not a sex code (1 male, 2 female, 9 not stated): taken as missing' });
      return null;
    case 'nrs':
      if (raw === 'M' || raw === 'F') return raw;
      warn({ field, reason: 'is not a sex (M or F): taken as missing' });
      return null;
    default: {
      const never: never = layout;
      throw new Error(`unknown layout ${String(never)}`);
    }
  }
}

type Kind = RegistryRecord['kind'];

function parseKind(c: Columns, type: string, cancelled: string): Kind {
  if (cancelled !== '' && cancelled !== 'Y' && cancelled !== 'N') throw new RowInvalid(c.cancelled, 'is not Y, N or empty');
  if (cancelled === 'Y' && type !== 'D') throw new RowInvalid(c.cancelled, 'only a death (type D) can be cancelled');
  switch (type) {
    case 'D':
      return cancelled === 'Y' ? 'death-cancelled' : 'death';
    case 'E':
      return 'embarkation';
    case 'R':
      return 're-entry';
    case 'N':
      return 'no-trace';
    case '':
      throw new RowInvalid(c.type, 'is required');
    default:
      throw new RowInvalid(c.type, 'is not a known notification type (D, E, R, N)');
  }
}

/** The row's kind for a reject's report, when its type and flag make one (null when they do not). */
function kindIfKnown(c: Columns, type: string, cancelled: string): Kind | null {
  try {
    return parseKind(c, type.toUpperCase(), cancelled.toUpperCase());
  } catch {
    return null;
  }
}

const orNull = (s: string): string | null => (s === '' ? null : s);

/**
 * The file column a record field comes from, for a schema issue's reject line. `extractedOn`
 * and `source` come from the ingest's options, not from a column, and are named as such.
 */
function columnOf(c: Columns, field: PropertyKey | undefined): string {
  const byField: Partial<Record<keyof RegistryRecord, string | null>> = {
    recordId: c.recordId,
    version: c.version,
    kind: c.type,
    nhsNumber: c.id,
    chiNumber: c.id,
    dateOfBirth: c.dob,
    sex: c.sex,
    familyName: c.surname,
    givenNames: c.forenames,
    postcode: c.postcode,
    dateOfDeath: c.dod,
    dateOfRegistration: c.dor,
    underlyingCause: c.cause,
    placeOfDeath: c.place,
    eventDate: c.eventDate,
  };
  const key = typeof field === 'string' ? field : '';
  return (key in byField ? byField[key as keyof RegistryRecord] : null) ?? (key || '(row)');
}

/** Record fields that a row can do without: one too long for its bound is dropped with a warning, not the row. */
const droppable = new Set<PropertyKey>(['nhsNumber', 'chiNumber', 'familyName', 'givenNames', 'postcode', 'underlyingCause', 'placeOfDeath']);

/**
 * Validates one data row of `layout` into a RegistryRecord, or names the field that makes it no
 * registration at all. Rejected (feeds.md, "Identifier checks") are only: an unknown kind
 * (type, or a cancellation flag that is not one); a missing or unparseable record id, version or
 * date; a death with no date of death (an embarkation or re-entry with no event date likewise; a
 * cancellation needs none: it withdraws the registration its record id names);
 * a death dated before the birth; and what the consumers' schema refuses outright (a version
 * beyond what they store, an extract date that is not a date, any field breaking the text rule:
 * a NUL, a control character or an unpaired surrogate). Everything else is damage to one
 * field, and the row is kept with a warning naming the column: an NHS number failing Modulus 11
 * or a CHI number failing its date prefix, check digit (Modulus 11 or 10), sex digit or
 * agreement with the row's date of birth (the number is published as given, digits
 * normalised, with `identifierWarnings`, so linkage compares it at its "invalid" level rather
 * than losing the death); an unknown sex code (taken as missing); a registration before the
 * death or an event before the birth (the dates kept as given); no identifying field; a free
 * text field beyond its bound (dropped). Reasons name the rule, never the value.
 */
export function validateRow(layout: Layout, row: Readonly<Record<string, string>>, ctx: RowContext): RowResult {
  const c = columns[layout];
  const get = (col: string): string => (row[col] ?? '').trim();
  const recordIdRaw = get(c.recordId);
  const warnings: RowWarning[] = [];
  const warn = (w: RowWarning): void => {
    warnings.push(w);
  };
  // feeds.md files are UTF-8; bytes that are not were read as U+FFFD (lines.ts). The text is
  // kept (a name with one bad byte still compares at its other letters), and the column named.
  for (const col of layoutColumns[layout]) {
    if (row[col]?.includes('\uFFFD')) warn({ field: col, reason: 'is not valid UTF-8: the bytes that are not were read as U+FFFD' });
  }
  let readVersion: number | null = null;
  try {
    if (recordIdRaw === '') throw new RowInvalid(c.recordId, 'is required');
    const versionRaw = get(c.version);
    if (versionRaw === '') throw new RowInvalid(c.version, 'is required');
    if (!/^\d+$/.test(versionRaw) || Number(versionRaw) < 1) throw new RowInvalid(c.version, 'is not a positive whole number');
    readVersion = Number(versionRaw);
    const sex = parseSex(layout, c.sex, get(c.sex).toUpperCase(), warn);
    const dateOfBirth = parseDate(layout, c.dob, get(c.dob));
    // The number before the checks that reject a row, so that a rejected row reports its damage too.
    const idRaw = get(c.id);
    let nhsNumber: string | null = null;
    let chiNumber: string | null = null;
    const identifierWarnings: IdentifierWarning[] = [];
    if (idRaw !== '') {
      switch (layout) {
        case 'ons': {
          const check = checkNhsNumber(idRaw);
          nhsNumber = check.ok ? check.value : normaliseIdentifier(idRaw);
          if (!check.ok) {
            warn({ field: c.id, reason: check.reason });
            identifierWarnings.push({ field: 'nhsNumber', reason: check.reason });
          }
          break;
        }
        case 'nrs': {
          const check = checkChiNumber(idRaw, { sex, dateOfBirth });
          chiNumber = check.ok ? check.value : normaliseIdentifier(idRaw);
          if (!check.ok) {
            warn({ field: c.id, reason: check.reason });
            identifierWarnings.push({ field: 'chiNumber', reason: check.reason });
          }
          break;
        }
        default: {
          const never: never = layout;
          throw new Error(`unknown layout ${String(never)}`);
        }
      }
    }
    const kind = parseKind(c, get(c.type).toUpperCase(), get(c.cancelled).toUpperCase());
    const dateOfDeath = parseDate(layout, c.dod, get(c.dod));
    const dateOfRegistration = parseDate(layout, c.dor, get(c.dor));
    const eventDate = parseDate(layout, c.eventDate, get(c.eventDate));
    if (kind === 'death' && dateOfDeath === null) throw new RowInvalid(c.dod, `is required for a death`);
    if ((kind === 'embarkation' || kind === 're-entry') && eventDate === null) throw new RowInvalid(c.eventDate, `is required for ${kind}`);
    if (dateOfBirth && dateOfDeath && dateOfDeath < dateOfBirth) throw new RowInvalid(c.dod, `is before the date of birth (${c.dob})`);
    if (dateOfDeath && dateOfRegistration && dateOfRegistration < dateOfDeath) {
      warn({ field: c.dor, reason: `is before the date of death (${c.dod})` });
    }
    if (dateOfBirth && eventDate && eventDate < dateOfBirth) warn({ field: c.eventDate, reason: `is before the date of birth (${c.dob})` });
    const familyName = orNull(get(c.surname));
    const givenNames = orNull(get(c.forenames));
    if (nhsNumber === null && chiNumber === null && dateOfBirth === null && familyName === null) {
      warn({ field: c.id, reason: 'no identifying field: none of the number, date of birth or surname is given' });
    }
    const postcodeRaw = get(c.postcode);
    const record: RegistryRecordInput = {
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
    // Only when there is one: a record with sound numbers is what it was before. (Assigned, not
    // spread into the literal: V8's spread is a slow runtime path, and every row passes here.)
    if (identifierWarnings.length > 0) record.identifierWarnings = identifierWarnings;
    // Last, the very schema the consumers decode with: a row the linkage service would refuse
    // (a version beyond what it stores, say) is this row's reject here, never a dead letter there.
    // A field the row can do without that is beyond its bound is dropped instead, with a warning.
    let checked = registryRecord.safeParse(record);
    if (!checked.success) {
      // A field the row can do without that breaks the text rule (a NUL, a control, a lone
      // surrogate) is dropped like one over its bound, with a warning naming the column and the
      // rule: the bad text never passes the edge, and the death is not lost with it (feeds.md
      // rejects only rows that cannot be a registration). Linkage then treats the name as
      // missing. The same text in the record id, or any other field, still rejects the row.
      const fatal = checked.error.issues.find((i) => !droppable.has(i.path[0] ?? ''));
      if (fatal) throw new RowInvalid(columnOf(c, fatal.path[0]), fatal.message);
      const drop: Record<string, null> = {};
      for (const issue of checked.error.issues) {
        drop[String(issue.path[0])] = null;
        warn({ field: columnOf(c, issue.path[0]), reason: `${issue.message}: not kept` });
      }
      checked = registryRecord.safeParse({ ...record, ...drop });
      if (!checked.success) {
        const issue = checked.error.issues[0];
        throw new RowInvalid(columnOf(c, issue.path[0]), issue.message);
      }
    }
    return { ok: true, line: ctx.line, record: checked.data, warnings };
  } catch (e) {
    if (e instanceof RowInvalid) {
      const error = { line: ctx.line, recordId: recordIdRaw === '' ? null : recordIdRaw, field: e.field, reason: e.reason };
      // A version beyond what the consumers store is this row's reject: not reported as read.
      const version = readVersion !== null && Number.isSafeInteger(readVersion) && e.field !== c.version ? readVersion : null;
      return { ok: false, line: ctx.line, error, warnings, version, kind: kindIfKnown(c, get(c.type), get(c.cancelled)) };
    }
    throw e;
  }
}
