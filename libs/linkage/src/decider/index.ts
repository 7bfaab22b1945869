// The linkage service's decider (one record in one trial) and the types it decides over.
export * from './types';
export * from './ids';
export * from './decider';
