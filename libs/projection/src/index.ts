/**
 * @trial/projection: the survival read models in Postgres. `ReadModelProjector` applies
 * partition batches (effects, checkpoint and event-id dedupe in one transaction);
 * `analysisAt`/`heldAt` read the read-out now, as of an instant or at a data cutoff;
 * `rebuild` is `followup replay`; `recordAudit`/`listAudit` the unblinded-read trail;
 * `listLooks`/`getLook` the DSMB's frozen looks (rm_looks, written by the projector and replay);
 * `withLookLock`/`reserveLook` the API's numbering of looks across processes (look_reservations).
 */
export * from './rows';
export * from './projector';
export * from './locks';
export * from './profiler';
export { loadCohort } from './trial-cache';
export * from './queries';
export * from './looks';
export * from './look-reservations';
export * from './audit';
export * from './audit-query';
export * from './audit-chain';
export * from './rebuild';
export * from './log-reader';
