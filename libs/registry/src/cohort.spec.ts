import { Readable } from 'node:stream';
import { CohortFileError, readCohortRows } from './cohort';

const columns = ['patientId', 'familyName', 'dateOfBirth'] as const;

async function rows(text: string | Buffer[]) {
  const out = [];
  for await (const r of readCohortRows(Readable.from(typeof text === 'string' ? [Buffer.from(text)] : text), columns)) out.push(r);
  return out;
}

describe('readCohortRows', () => {
  it('reads the named columns in any order, trims, nulls empty cells and pads short rows', async () => {
    const got = await rows('\uFEFFarm,dateOfBirth, familyName ,patientId\r\nA,1941-02-03,  SMITH ,P1\nB,,JONES,P2\n\nC,1950-01-01\n');
    expect(got).toEqual([
      { ok: true, line: 2, cells: { patientId: 'P1', familyName: 'SMITH', dateOfBirth: '1941-02-03' } },
      { ok: true, line: 3, cells: { patientId: 'P2', familyName: 'JONES', dateOfBirth: null } },
      { ok: true, line: 5, cells: { patientId: null, familyName: null, dateOfBirth: '1950-01-01' } },
    ]);
  });

  it('skips a row with an unclosed or stray quote at its own line, naming the column and not the value, and reads the rest', async () => {
    const got = await rows('patientId,familyName,dateOfBirth\nP1,"O\'BRIEN,1941-02-03\nP2,O"BRIEN,1941-02-03\nP3,"O""BRIEN",1941-02-03\n');
    expect(got.map((r) => (r.ok ? [r.line, r.cells.familyName] : [r.line, r.field, r.reason]))).toEqual([
      [2, 'familyName', expect.stringMatching(/not closed on its line/)],
      [3, 'familyName', expect.stringMatching(/quote inside an unquoted cell/)],
      [4, 'O"BRIEN'],
    ]);
    for (const r of got) if (!r.ok) expect(r.reason).not.toMatch(/BRIEN/);
  });

  it('skips a row beyond the line bound without holding it, and keeps its neighbours', async () => {
    const big = Buffer.alloc(2_000_000, 'X');
    const got = await rows([Buffer.from('patientId,familyName,dateOfBirth\nP1,A,\nP2,'), big, Buffer.from(',\nP3,C,\n')]);
    expect(got.map((r) => (r.ok ? r.cells.patientId : `${r.line} ${r.field}`))).toEqual(['P1', '3 (row)', 'P3']);
  });

  it('refuses a file with no header, or a header without a column', async () => {
    await expect(rows('')).rejects.toThrow(CohortFileError);
    await expect(rows('patientId,familyName\nP1,A\n')).rejects.toThrow(/lacks the column\(s\) dateOfBirth/);
  });

  it('refuses a header that names a column it reads twice', async () => {
    await expect(rows('patientId,familyName,dateOfBirth,patientId\nP1,A,1950-01-01,P2\n')).rejects.toThrow(
      /names the column\(s\) patientId more than once/,
    );
  });
});
