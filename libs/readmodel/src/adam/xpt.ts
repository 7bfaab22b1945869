/**
 * SAS transport (XPORT) version 5, the format FDA submissions take ADaM data sets in, written
 * as SAS's technical note TS-140 ("The record layout of a data set in SAS transport (XPORT)
 * format") lays it out and as R's haven 2.5 (ReadStat) writes it, byte for byte (xpt.spec.ts
 * compares with reference/reference.xpt, which reference/xpt-reference.R generated):
 * - 80-byte records: library header, member header, descriptor, one 140-byte NAMESTR per
 *   variable, then the observations, each section padded to 80 bytes with blanks;
 * - numbers as 8-byte IBM System/370 hexadecimal floating point, missing as `.` (0x2E then
 *   zeros); character values blank-padded to the variable's length (the longest value, at
 *   least 1, in bytes of UTF-8), at most 200 bytes as version 5 allows;
 * - names up to 8 characters, labels up to 40 bytes; a DATE9 format (and informat) on a
 *   number marks days since 1960-01-01 as a SAS date.
 * Pure: the creation stamp comes in with the call (no clock), so the same data give the same file.
 */
export type XptType = 'char' | 'num';
export interface XptVariable {
  name: string;
  label: string;
  type: XptType;
  /** Only `DATE9` is used: SAS dates. */
  format?: 'DATE9';
}
export type XptValue = string | number | null;
export interface XptDataset {
  name: string;
  label: string;
  variables: readonly XptVariable[];
  /** One array per observation, values in `variables` order; null is missing (a blank for text). */
  rows: readonly (readonly XptValue[])[];
}

const REC = 80;
const enc = new TextEncoder();
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** SAS's `ddMMMyy:hh:mm:ss` stamp, in UTC. */
export function sasStamp(t: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const day = `${p(t.getUTCDate())}${MONTHS[t.getUTCMonth()]}${p(t.getUTCFullYear() % 100)}`;
  return `${day}:${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())}`;
}

/** Days from SAS's epoch (1960-01-01) to a civil date `YYYY-MM-DD`. */
export function sasDate(civil: string): number {
  return Math.round((Date.parse(`${civil}T00:00:00Z`) - Date.UTC(1960, 0, 1)) / 86_400_000);
}

/**
 * IEEE 754 double to IBM hexadecimal floating point: sign, a base-16 exponent biased by 64 and
 * a 56-bit fraction in [1/16, 1). A double's 53-bit significand fits in 56 bits shifted by at
 * most 3, so the conversion is exact within IBM's range (about 5.4e-79 to 7.2e75).
 */
export function ibmDouble(v: number): Uint8Array {
  const out = new Uint8Array(8);
  if (!Number.isFinite(v)) throw new Error(`XPT: ${v} is not a finite number`);
  if (v === 0) return out;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  if (biased === 0) throw new Error(`XPT: ${v} is subnormal, beyond IBM floating point`);
  // v = m * 2^e with m = significand / 2^53 in [0.5, 1).
  const significand = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo) | (1n << 52n);
  const e = biased - 1022;
  const e16 = Math.ceil(e / 4);
  const shift = 4 * e16 - e;
  if (e16 + 64 < 0 || e16 + 64 > 127) throw new Error(`XPT: ${v} is beyond IBM floating point's range`);
  const fraction = significand << BigInt(3 - shift);
  out[0] = (v < 0 ? 0x80 : 0) | (e16 + 64);
  for (let i = 7; i >= 1; i--) out[i] = Number((fraction >> BigInt(8 * (7 - i))) & 0xffn);
  return out;
}

/** The data set as an XPT v5 file. Throws on what version 5 cannot hold (long names, labels or values). */
export function writeXpt(ds: XptDataset, created: Date): Uint8Array {
  checkName(ds.name);
  const stamp = sasStamp(created);
  const lengths = ds.variables.map((v, j) => (v.type === 'num' ? 8 : charLength(ds, j)));
  const parts: Uint8Array[] = [
    header('LIBRARY', '000000000000000000000000000000'),
    text(`${fit('SAS', 8)}${fit('SAS', 8)}${fit('SASLIB', 8)}${fit('6.06', 8)}${fit('bsd4.2', 8)}${' '.repeat(24)}${stamp}`, REC),
    text(stamp, REC),
    header('MEMBER', '000000000000000001600000000140'),
    header('DSCRPTR', '000000000000000000000000000000'),
    text(`${fit('SAS', 8)}${fit(ds.name, 8)}${fit('SASDATA', 8)}${fit('6.06', 8)}${fit('bsd4.2', 8)}${' '.repeat(24)}${stamp}`, REC),
    concat([text(`${stamp}${' '.repeat(16)}`, 32), label(ds.label), text('', 8)]),
    header('NAMESTR', `000000${String(ds.variables.length).padStart(4, '0')}00000000000000000000`),
  ];
  let pos = 0;
  const namestrs = ds.variables.map((v, j) => {
    const n = namestr(v, j + 1, lengths[j], pos);
    pos += lengths[j];
    return n;
  });
  parts.push(padded(concat(namestrs)), header('OBS', '000000000000000000000000000000'));
  parts.push(padded(concat(ds.rows.map((row) => observation(ds.variables, lengths, row)))));
  return concat(parts);
}

function header(kind: string, numbers: string): Uint8Array {
  return text(`HEADER RECORD*******${fit(kind, 8)}HEADER RECORD!!!!!!!${numbers}`, REC);
}

function namestr(v: XptVariable, index: number, length: number, pos: number): Uint8Array {
  checkName(v.name);
  const b = new Uint8Array(140);
  const view = new DataView(b.buffer);
  const num = v.type === 'num';
  view.setInt16(0, num ? 1 : 2);
  view.setInt16(4, length);
  view.setInt16(6, index);
  b.set(text(v.name, 8), 8);
  b.set(label(v.label), 16);
  const format = num && v.format === 'DATE9' ? { name: 'DATE', width: 9 } : { name: '', width: 0 };
  b.set(text(format.name, 8), 56);
  view.setInt16(64, format.width);
  view.setInt16(68, num ? 1 : 0); // justification: haven right-justifies numbers
  b.set(text(format.name, 8), 72);
  view.setInt16(80, format.width);
  view.setInt32(84, pos);
  return b;
}

function observation(vars: readonly XptVariable[], lengths: readonly number[], row: readonly XptValue[]): Uint8Array {
  return concat(
    vars.map((v, j) => {
      const x = row[j];
      if (v.type === 'num') {
        if (x === null || (typeof x === 'number' && Number.isNaN(x))) return Uint8Array.of(0x2e, 0, 0, 0, 0, 0, 0, 0);
        if (typeof x !== 'number') throw new Error(`XPT: ${v.name} is numeric, given text`);
        return ibmDouble(x);
      }
      return text(x === null ? '' : String(x), lengths[j]);
    }),
  );
}

function charLength(ds: XptDataset, j: number): number {
  let n = 1;
  for (const row of ds.rows) {
    const x = row[j];
    if (x !== null) n = Math.max(n, enc.encode(String(x)).length);
  }
  if (n > 200) throw new Error(`XPT: ${ds.variables[j].name} holds a value of ${n} bytes; version 5 allows 200`);
  return n;
}

function checkName(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,7}$/.test(name)) throw new Error(`XPT: ${JSON.stringify(name)} is not a SAS version 5 name (8 characters)`);
}

function label(s: string): Uint8Array {
  if (enc.encode(s).length > 40) throw new Error(`XPT: the label ${JSON.stringify(s)} is longer than 40 bytes`);
  return text(s, 40);
}

const fit = (s: string, n: number): string => s.padEnd(n, ' ');

/** `s` as UTF-8, blank-padded to `n` bytes (never cut: callers check lengths first). */
function text(s: string, n: number): Uint8Array {
  const b = new Uint8Array(n).fill(0x20);
  b.set(enc.encode(s).subarray(0, n));
  return b;
}

function padded(b: Uint8Array): Uint8Array {
  const n = Math.ceil(b.length / REC) * REC;
  const out = new Uint8Array(n).fill(0x20);
  out.set(b);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
