import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptySpool } from '../../apps/ingest/src/spool';

/**
 * The ingest service empties its spool at start-up. INGEST_SPOOL_DIR is configuration, and a
 * wrong one (a shared or data directory) must cost only the uploads a killed process left.
 */
describe('emptySpool', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'spool-empty-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('removes left uploads and nothing else, and makes the directory private', async () => {
    writeFileSync(join(dir, 'upload-0123456789abcdef0123456789abcdef'), 'D-1,SMITH');
    writeFileSync(join(dir, 'upload-left-by-a-kill'), 'D-2,JONES');
    writeFileSync(join(dir, 'someone-elses.db'), 'keep me');
    mkdirSync(join(dir, 'a-directory'));
    writeFileSync(join(dir, 'a-directory', 'upload-inside'), 'keep me too');

    expect(await emptySpool(dir)).toBe(2);
    expect(readdirSync(dir).sort()).toEqual(['a-directory', 'someone-elses.db']);
    expect(readdirSync(join(dir, 'a-directory'))).toEqual(['upload-inside']);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('creates a missing spool', async () => {
    const spool = join(dir, 'new', 'spool');
    expect(await emptySpool(spool)).toBe(0);
    expect(statSync(spool).mode & 0o777).toBe(0o700);
  });
});
