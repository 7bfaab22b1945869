import { createHash } from 'node:crypto';
import { PatientRandomised, RegistryRecord } from '@trial/contracts';

/** NHS number Modulus 11 (feeds.md): weights 10..2, check = 11 - sum mod 11; 11 -> 0, 10 invalid. */
export function validNhsNumber(n: string | null): n is string {
  if (!n || !/^\d{10}$/.test(n)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(n[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(n[9]);
}

/** The skeleton's only rule: the same valid NHS number, corroborated by date of birth. */
export function exactNhsLink(p: PatientRandomised, r: RegistryRecord): boolean {
  return validNhsNumber(r.nhsNumber) && r.nhsNumber === p.nhsNumber && r.dateOfBirth === p.dateOfBirth;
}

/** Deterministic ids: the same input always yields the same event, so duplicates are recognisable. */
export function outcomeEventId(type: string, p: { trialId: string; patientId: string }, r: { source: string; recordId: string; version: number }): string {
  const h = createHash('sha256').update([type, p.trialId, p.patientId, r.source, r.recordId, r.version].join('|')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
