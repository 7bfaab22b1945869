// `followup model install` and installModel against a real Postgres. lk_models is global to a
// database (no scope), so this suite gets a database of its own: installing a model in the
// shared test database would change the model every other linkage suite runs with.
import { randomBytes } from 'node:crypto';
import { CliRun, runCli } from '../../support/cli';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { LinkageModel, defaultModel, serialiseModel } from '@trial/linkage';
import { LinkStore, ModelVersionConflict, installModel } from '@trial/linkage-service';
import { createDataSource, migrate } from '@trial/storage';
import { register } from '../../../apps/cli/src/commands/model';
import { privateDatabase } from '../../support';

const db = privateDatabase(`models_${randomBytes(4).toString('hex')}`);
const dbUrl = db.url;
const trained: LinkageModel = { ...defaultModel, version: 'test-trained-1', thresholds: { ...defaultModel.thresholds, link: 13 } };

const cli = (args: string[]): Promise<CliRun> => runCli([register], ['model', 'install', ...args], { DATABASE_URL: dbUrl });

describe('installing a linkage model (lk_models)', () => {
  let ds: DataSource;
  const dir = mkdtempSync(join(tmpdir(), 'model-install-'));
  const active = (): Promise<LinkageModel> => ds.transaction((tx) => new LinkStore(tx, 'test').activeModel());

  beforeAll(async () => {
    await db.create();
    ds = await createDataSource(dbUrl, { poolSize: 2 }).initialize();
    await migrate(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db.drop();
  });

  it('makes the installed model the active one, and can put the old one back', async () => {
    expect((await active()).version).toBe(defaultModel.version); // first use stores the default
    expect(await ds.transaction((tx) => installModel(tx, trained))).toEqual({
      version: 'test-trained-1',
      status: 'installed',
      previous: defaultModel.version,
    });
    expect(await active()).toEqual(trained);
    expect(await ds.transaction((tx) => installModel(tx, trained))).toMatchObject({ status: 'unchanged' });
    expect(await ds.transaction((tx) => installModel(tx, defaultModel))).toEqual({
      version: defaultModel.version,
      status: 'reactivated',
      previous: 'test-trained-1',
    });
    expect((await active()).version).toBe(defaultModel.version);
    const rows = (await ds.query(`select version from lk_models where active`)) as Array<{ version: string }>;
    expect(rows.map((r) => r.version)).toEqual([defaultModel.version]);
  });

  it('refuses another model under a stored version', async () => {
    const other = { ...trained, prior: trained.prior * 2 };
    await expect(ds.transaction((tx) => installModel(tx, other))).rejects.toThrow(ModelVersionConflict);
    expect((await active()).version).toBe(defaultModel.version);
  });

  it('followup model install FILE: installs, or exits 2 with one line', async () => {
    const file = join(dir, 'model.json');
    writeFileSync(file, serialiseModel({ ...trained, version: 'test-trained-2' }));
    const ok = await cli([file]);
    expect(ok).toMatchObject({ code: 0, err: '' });
    expect(ok.out).toMatch(/^linkage model test-trained-2 installed and active \(was fs-/);
    expect((await active()).version).toBe('test-trained-2');

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...trained, prior: 2 }));
    const clash = join(dir, 'clash.json');
    writeFileSync(clash, serialiseModel({ ...trained, prior: trained.prior / 2 }));
    for (const [path, message] of [
      [join(dir, 'missing.json'), /cannot read model/],
      [bad, /is invalid: prior/],
      [clash, /already stored with other parameters/],
    ] as const) {
      const r = await cli([path]);
      expect([path, r.code]).toEqual([path, 2]);
      expect(r.out).toBe('');
      expect(r.err).toMatch(message);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
    expect((await active()).version).toBe('test-trained-2');
  });
});
