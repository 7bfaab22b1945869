import { CodedError } from '@trial/contracts';
import { EntityManager } from 'typeorm';
import { LinkageModel, parseModel } from '@trial/linkage';

/**
 * Installing a linkage model (e.g. one `followup train` wrote) as the one the linkage service
 * uses: stored in lk_models under its version and made the only active row, so
 * LinkStore.activeModel returns it from the service's next batch on. Records decided before
 * keep the decision (and the model version) they were made with.
 */
export interface InstallResult {
  version: string;
  /** `installed`: a new version; `reactivated`: stored before, active again; `unchanged`: already the active one. */
  status: 'installed' | 'reactivated' | 'unchanged';
  /** The version that was active before (null: none yet, i.e. the service had not started). */
  previous: string | null;
}

/** The version is stored already with other parameters: a version names one model, forever. */
export class ModelVersionConflict extends CodedError<'model-version-conflict'> {
  constructor(message: string) {
    super('model-version-conflict', message);
  }
}

/** JSON with object keys sorted: jsonb does not keep key order, so stored models compare by this. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Installs `model` inside the caller's transaction. */
export async function installModel(tx: EntityManager, model: LinkageModel): Promise<InstallResult> {
  // One installer at a time: two could otherwise each leave their own model the active one.
  await tx.query('select pg_advisory_xact_lock(hashtext($1))', ['linkage:models']);
  const active = (await tx.query(`select version from lk_models where active order by created_at desc, version desc limit 1`)) as Array<{
    version: string;
  }>;
  const previous = active.length ? active[0].version : null;
  const stored = (await tx.query(`select model, active from lk_models where version = $1`, [model.version])) as Array<{
    model: unknown;
    active: boolean;
  }>;
  let status: InstallResult['status'];
  if (stored.length) {
    const parsed = parseModel(JSON.stringify(stored[0].model));
    if (!parsed.ok || canonical(parsed.model) !== canonical(model)) {
      throw new ModelVersionConflict(`model version ${model.version} is already stored with other parameters; give this one another version`);
    }
    status = previous === model.version ? 'unchanged' : 'reactivated';
  } else {
    await tx.query(`insert into lk_models (version, model, active) values ($1, $2, true)`, [model.version, JSON.stringify(model)]);
    status = 'installed';
  }
  await tx.query(`update lk_models set active = (version = $1) where active or version = $1`, [model.version]);
  return { version: model.version, status, previous };
}
