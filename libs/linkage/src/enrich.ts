import { blockingKeys } from './blocking';
import { PreparedRecord, RecordFacts, prepareRecord } from './person';

/**
 * A registry record prepared for linkage, computed on the registry reader's thread (the
 * `enrich` hook of readRegistryThreaded in @trial/registry) so that the linking thread only
 * looks up candidates and scores them.
 */
export interface RecordForLinkage {
  prepared: PreparedRecord;
  keys: string[];
}

export function enrich(record: RecordFacts): RecordForLinkage {
  const prepared = prepareRecord(record);
  return { prepared, keys: blockingKeys(prepared) };
}

/** This module's path, for the reader thread to load. */
export const enrichModule: string = __filename;
