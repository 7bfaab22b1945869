// @trial/linkage: pure record linkage (no I/O, no NestJS, no clock, no logging).
export * from './identifiers';
export * from './jaro-winkler';
export * from './nysiis';
export * from './person';
export * from './levels';
export * from './model';
export * from './decide';
export * from './prior';
export * from './deferred';
export * from './em';
export * from './blocking';
export * from './engine';
export * from './rng';
export * from './default-model';
export * from './train';
export * from './decider';
export { RecordForLinkage, enrichModule, enrich as prepareForLinkage } from './enrich';
