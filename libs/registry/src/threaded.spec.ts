// readRegistryThreaded must be readRegistry on another thread: same rows, same order, same
// errors, with flow control that neither loses nor duplicates a batch.
import { Readable } from 'node:stream';
import { enrichModule, modulus11CheckDigit, prepareForLinkage } from '@trial/linkage';
import { onsColumns } from './layouts';
import { RegistryFileError, readRegistry } from './reader';
import { ReadRow, readRegistryThreaded } from './threaded';
import { onsLine } from '../../../test/support/registry-rows';

const header = onsColumns.join(',');
const nhs = (i: number): string => {
  for (let k = 0; ; k++) {
    const first9 = String(400000000 + i * 7 + k).padStart(9, '0');
    const check = modulus11CheckDigit(first9);
    if (check !== null) return `${first9}${check}`;
  }
};
const row = (i: number, over: Partial<Record<(typeof onsColumns)[number], string>> = {}): string =>
  onsLine({
    RECORD_ID: `D2009-${String(i).padStart(6, '0')}`,
    DEC_CONF_NHS_NUMBER: nhs(i),
    DEC_SEX: i % 2 ? '1' : '2',
    DEC_SURNAME: i % 3 ? 'SMITH' : '"O\'BRIEN, JR"',
    ...over,
  });

/** 500 rows with every kind of trouble sprinkled in: bad dates, wrong cell counts, a quoted field over two lines. */
function extract(): string {
  const lines = [header];
  for (let i = 0; i < 500; i++) {
    if (i % 97 === 5) lines.push(row(i, { REG_DATE_OF_DEATH: '20090231' }));
    else if (i % 89 === 7) lines.push('D1,1,D');
    else if (i === 250) lines.push(row(i, { POD_CODE: '"hospital\nward 3"' }));
    else lines.push(row(i));
  }
  return `${lines.join('\n')}\n`;
}

/** The text in small chunks, so rows straddle chunk boundaries. */
const chunked = (text: string, size = 97): Readable => {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return Readable.from(parts.map((p) => Buffer.from(p)));
};

async function single(text: string) {
  const out = [];
  for await (const r of readRegistry(chunked(text), { extractedOn: '2011-10-02' })) out.push(r);
  return out;
}

async function threaded(text: string, options: { batchSize?: number; maxUnacked?: number; enrich?: string } = {}): Promise<ReadRow[]> {
  const out: ReadRow[] = [];
  for await (const b of readRegistryThreaded(chunked(text), { extractedOn: '2011-10-02', ...options })) out.push(...b.rows);
  return out;
}

describe('readRegistryThreaded', () => {
  it('yields exactly what readRegistry yields, in order, whatever the batch size and window', async () => {
    const text = extract();
    const expected = await single(text);
    expect(expected.filter((r) => !r.ok).length).toBeGreaterThan(5);
    for (const options of [{ batchSize: 1, maxUnacked: 1 }, { batchSize: 7, maxUnacked: 2 }, {}]) {
      expect(await threaded(text, options)).toEqual(expected);
    }
  });

  it('reports the bytes handed to the parser, reaching the whole input', async () => {
    const text = extract();
    let last = 0;
    for await (const b of readRegistryThreaded(chunked(text), { extractedOn: '2011-10-02', batchSize: 50 })) {
      expect(b.bytes).toBeGreaterThanOrEqual(last);
      last = b.bytes;
    }
    expect(last).toBe(Buffer.byteLength(text));
  });

  it('runs the enrich module on the reader thread for valid rows only', async () => {
    const rows = await threaded(extract(), { enrich: enrichModule });
    for (const r of rows) {
      if (r.ok) expect(r.extra).toEqual(prepareForLinkage(r.record));
      else expect(r.extra).toBeUndefined();
    }
  });

  it('throws the same coded error as readRegistry for an unreadable header', async () => {
    await expect(threaded('a,b\n1,2\n')).rejects.toBeInstanceOf(RegistryFileError);
    await expect(threaded('')).rejects.toMatchObject({ code: 'empty' });
  });

  it('rethrows an error of the input stream', async () => {
    const failing = new Readable({
      read() {
        this.destroy(Object.assign(new Error('disk gone'), { code: 'EIO' }));
      },
    });
    await expect(
      (async () => {
        for await (const _ of readRegistryThreaded(failing, { extractedOn: '2011-10-02' })) void _;
      })(),
    ).rejects.toMatchObject({ message: 'disk gone', code: 'EIO' });
  });

  it('stops the thread and the input when the consumer leaves early', async () => {
    const input = chunked(extract());
    for await (const b of readRegistryThreaded(input, { extractedOn: '2011-10-02', batchSize: 10 })) {
      expect(b.rows.length).toBe(10);
      break;
    }
    expect(input.destroyed).toBe(true);
  });
});
