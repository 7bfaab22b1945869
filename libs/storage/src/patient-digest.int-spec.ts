// Against the real Postgres: the digest computed here of a row (patientDigest, over jsonbText)
// equals the one Postgres computes of the stored row (PATIENT_DIGEST_SQL) whatever the key order,
// the text's escapes or the nesting; and rows that differ anywhere never share a digest.
import { DataSource } from 'typeorm';
import { TEST_DATABASE_URL, uniqueId } from '../../../test/support';
import { copyStream } from './copy-stream';
import { createDataSource } from './data-source';
import { jsonbText, PATIENT_DIGEST_SQL, patientDigest } from './patient-digest';

type Row = readonly [number, object, string | null, object | null, object | null];

describe('patientDigest against Postgres (PATIENT_DIGEST_SQL)', () => {
  let ds: DataSource;
  const table = `digest_${uniqueId('t')
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase()}`;
  beforeAll(async () => {
    ds = await createDataSource(TEST_DATABASE_URL, { poolSize: 1 }).initialize();
    await ds.query(`create table ${table} (n int primary key, state jsonb not null, registry text, followup jsonb, guard jsonb)`);
    // As rm_patients holds them: json, the text as its writer laid it out.
    await ds.query(`create table ${table}_json (n int primary key, state json not null, registry text, followup json, guard json)`);
  });
  afterAll(async () => {
    await ds?.query(`drop table if exists ${table}`);
    await ds?.query(`drop table if exists ${table}_json`);
    await ds?.destroy();
  });

  const awkward = ['tab\there', 'new\nline\r', 'back\\slash \\N "quoted"', '\u00e9\ud83d\ude00', '\u0001\u001f\u007f', ''];
  const rows: Row[] = [
    [1, { b: 1, a: 2, aa: [1, 2, { z: null, y: true }], c: {} }, 'ONS', null, { seq: null }],
    [2, { zeta: 'x', alpha: 'y', mid: [] }, null, { time: 1930, ratio: 0.25, neg: -3, big: 123456789012 }, null],
    // Keys that sort differently by length-then-bytes than by code units, and non-ASCII keys.
    [3, { 'ONS:b': 1, 'ONS:aa': 2, 'NRS:z': 3, é: 4, e: 5, ee: 6, '\u00e9\u00e9': 7 }, 'NRS', { k: awkward }, { arr: [[], [{}]] }],
    ...awkward.map((s, i): Row => [10 + i, { s, [s]: s }, s, { s }, { list: [s, s] }]),
  ];

  it('is the digest Postgres computes of the stored row', async () => {
    await ds.transaction((tx) => copyStream(tx, table, ['n', 'state', 'registry', 'followup', 'guard'], rows));
    const stored = (await ds.query(`select n, ${PATIENT_DIGEST_SQL} as digest, state::text as text from ${table} order by n`)) as Array<{
      n: number;
      digest: string;
      text: string;
    }>;
    expect(stored.map((r) => r.n)).toEqual(rows.map((r) => r[0]).sort((a, b) => a - b));
    for (const r of stored) {
      const row = rows.find((x) => x[0] === r.n)!;
      expect(jsonbText(row[1])).toBe(r.text);
      expect(patientDigest(row[1], row[2], row[3], row[4])).toBe(r.digest);
    }
  });

  it('is the same digest of json columns, whatever key order the stored text has', async () => {
    // Each row's objects written with their keys reversed: the text differs, the content does not.
    const reversed = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reversed)
        : typeof v === 'object' && v !== null
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reversed(x)]),
            )
          : v;
    await ds.transaction((tx) =>
      copyStream(
        tx,
        `${table}_json`,
        ['n', 'state', 'registry', 'followup', 'guard'],
        rows.map((r) => [r[0], reversed(r[1]) as object, r[2], reversed(r[3]) as object | null, reversed(r[4]) as object | null]),
      ),
    );
    const stored = (await ds.query(`select n, ${PATIENT_DIGEST_SQL} as digest, state::text as text from ${table}_json order by n`)) as Array<{
      n: number;
      digest: string;
      text: string;
    }>;
    expect(stored).toHaveLength(rows.length);
    for (const r of stored) {
      const row = rows.find((x) => x[0] === r.n)!;
      expect(r.text).toBe(JSON.stringify(reversed(row[1])));
      expect(patientDigest(row[1], row[2], row[3], row[4])).toBe(r.digest);
    }
  });

  it('differs when anything differs, a NULL from a null included; numbers jsonb writes otherwise only ever differ', async () => {
    const base = patientDigest({ a: 1 }, 'ONS', { b: [1] }, { c: null });
    expect(patientDigest({ a: 1 }, 'ONS', { b: [1] }, { c: null })).toBe(base);
    expect(patientDigest({ a: 2 }, 'ONS', { b: [1] }, { c: null })).not.toBe(base);
    expect(patientDigest({ a: 1 }, null, { b: [1] }, { c: null })).not.toBe(base);
    expect(patientDigest({ a: 1 }, 'ONS', null, { c: null })).not.toBe(base);
    expect(patientDigest({ a: 1 }, 'ONS', { b: [1, 2] }, { c: null })).not.toBe(base);
    expect(patientDigest({ a: 1 }, 'ONS', { b: [1] }, null)).not.toBe(patientDigest({ a: 1 }, 'ONS', { b: [1] }, 'null'));
    // jsonb writes 1e21 in full and 1e-7 as a decimal: the rows are then taken as changed, never as equal.
    const [r] = (await ds.query(`select ('{"x": 1e21, "y": 1e-7}'::jsonb)::text as t`)) as Array<{ t: string }>;
    expect(jsonbText({ x: 1e21, y: 1e-7 })).not.toBe(r.t);
  });
});
