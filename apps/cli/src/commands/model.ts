// `followup model install FILE`: makes a linkage model (JSON, e.g. from `followup train`) the
// one the linkage service uses, in lk_models (@trial/linkage-service installModel). Uses the same
// DATABASE_URL as the services; the service picks it up from its next batch.
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { loadConfig } from '@trial/config';
import { LinkageModel, parseModel } from '@trial/linkage';
import { ModelVersionConflict, installModel } from '@trial/linkage-service';
import { openMigrated } from '@trial/storage';
import { exitOnUsageError, UsageError } from '../usage';

async function readModel(path: string): Promise<LinkageModel> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read model ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = parseModel(text);
  if (!parsed.ok) throw new UsageError(`model ${path} is invalid: ${parsed.reason}`);
  return parsed.model;
}

export function register(program: Command): void {
  const model = program.command('model').description('linkage models in the database (lk_models)');
  model
    .command('install <file>')
    .description('store a linkage model (JSON, e.g. from `followup train`) and make it the active one')
    .action(async (file: string) => {
      try {
        const m = await readModel(file);
        const config = loadConfig();
        const ds = await openMigrated(config.DATABASE_URL, config.MIGRATION_DATABASE_URL, { applicationName: 'followup-model', poolSize: 2 });
        try {
          const r = await ds.transaction((tx) => installModel(tx, m));
          const what =
            r.status === 'unchanged' ? 'is already the active model' : r.status === 'reactivated' ? 'is active again' : 'installed and active';
          const was = r.previous && r.previous !== r.version ? ` (was ${r.previous})` : '';
          process.stdout.write(`linkage model ${r.version} ${what}${was}; the linkage service uses it from its next batch\n`);
        } catch (e) {
          if (e instanceof ModelVersionConflict) throw new UsageError(e.message);
          throw e;
        } finally {
          await ds.destroy();
        }
        process.exitCode = 0;
      } catch (e) {
        // The file is missing or not a valid model, or its version is taken.
        exitOnUsageError(e, { prefix: 'followup model install: ', fold: true });
      }
    });
}
