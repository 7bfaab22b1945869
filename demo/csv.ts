import { RegistrySource } from '@trial/contracts';
import { nrsColumns, onsColumns } from '@trial/registry';
import { Kind, RegistryRow } from './registry';

/** A cancelled death is still a `D` row: the cancelled flag is what turns it into death-cancelled. */
const TYPE: Record<Kind, string> = { death: 'D', 'death-cancelled': 'D', embarkation: 'E', 're-entry': 'R', 'no-trace': 'N' };

const compact = (d: string | null): string => (d ? d.replaceAll('-', '') : '');
const iso = (d: string | null): string => d ?? '';

function onsRow(r: RegistryRow): string[] {
  return [
    r.recordId,
    String(r.version),
    TYPE[r.kind],
    r.nhsNumber ?? '',
    compact(r.dateOfBirth),
    r.sex === 'M' ? '1' : '2',
    r.familyName,
    r.givenNames,
    r.postcode,
    compact(r.dateOfDeath),
    compact(r.dateOfRegistration),
    r.underlyingCause ?? '',
    r.placeOfDeath ?? '',
    compact(r.eventDate),
    r.kind === 'death-cancelled' ? 'Y' : '',
  ];
}

function nrsRow(r: RegistryRow): string[] {
  return [
    r.recordId,
    String(r.version),
    TYPE[r.kind],
    r.chiNumber ?? '',
    iso(r.dateOfBirth),
    r.sex,
    r.familyName,
    r.givenNames,
    r.postcode,
    iso(r.dateOfDeath),
    iso(r.dateOfRegistration),
    r.underlyingCause ?? '',
    iso(r.eventDate),
    r.kind === 'death-cancelled' ? 'Y' : '',
  ];
}

/** RFC 4180 quoting, only where a field needs it. */
const field = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

export function toCsv(source: RegistrySource, rows: RegistryRow[]): string {
  // The reader's own column orders (feeds.md), so the files it reads are the files we write.
  const header = source === 'ONS' ? onsColumns : nrsColumns;
  const body = rows.map((r) => (source === 'ONS' ? onsRow(r) : nrsRow(r)));
  return [[...header], ...body].map((cells) => cells.map(field).join(',')).join('\n') + '\n';
}
