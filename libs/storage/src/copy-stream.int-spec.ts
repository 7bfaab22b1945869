// Against the real Postgres: copyStream's text format round-trips awkward text, its chunks and
// backpressure carry many megabytes in order, and a producer that throws part-way aborts the
// COPY, so the transaction fails and nothing of it is kept.
import { DataSource } from 'typeorm';
import { TEST_DATABASE_URL, uniqueId } from '../../../test/support';
import { copyStream } from './copy-stream';
import { createDataSource } from './data-source';

describe('copyStream (COPY FROM STDIN, streamed)', () => {
  let ds: DataSource;
  const table = `copy_stream_${uniqueId('t')
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase()}`;
  beforeAll(async () => {
    ds = await createDataSource(TEST_DATABASE_URL, { poolSize: 2 }).initialize();
    await ds.query(`create table ${table} (n int not null, t text, j jsonb)`);
  });
  afterAll(async () => {
    await ds?.query(`drop table if exists ${table}`);
    await ds?.destroy();
  });

  it('writes every row in order, escapes included, across many chunks', async () => {
    const awkward = ['tab\there', 'new\nline\r', 'back\\slash \\N', '\u00e9\ud83d\ude00'];
    const big = 'x'.repeat(3000);
    function* rows(): Generator<readonly [number, string | null, object]> {
      for (let n = 0; n < 5000; n++) yield [n, n % 100 === 7 ? null : `${awkward[n % awkward.length]}${n % 2 ? big : ''}`, { n, s: awkward[n % 4] }];
    }
    await ds.transaction((tx) => copyStream(tx, table, ['n', 't', 'j'], rows()));
    const back = (await ds.query(`select n, t, j from ${table} order by n`)) as Array<{ n: number; t: string | null; j: object }>;
    expect(back.length).toBe(5000);
    expect(back).toEqual([...rows()].map(([n, t, j]) => ({ n, t, j })));
  });

  it('aborts the COPY when the producer throws: the transaction fails and keeps nothing', async () => {
    await ds.query(`delete from ${table}`);
    function* failing(): Generator<readonly [number, string, object]> {
      for (let n = 0; n < 2000; n++) {
        if (n === 1500) throw new Error('producer failed at row 1500');
        yield [n, 'y'.repeat(2000), {}];
      }
    }
    await expect(ds.transaction((tx) => copyStream(tx, table, ['n', 't', 'j'], failing()))).rejects.toThrow(/producer failed at row 1500/);
    expect((await ds.query(`select count(*)::int as n from ${table}`))[0].n).toBe(0);
    // The pool's connection is usable again.
    expect((await ds.query(`select 1 as one`))[0].one).toBe(1);
  });
});
