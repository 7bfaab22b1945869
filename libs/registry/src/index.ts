export * from './layouts';
export * from './validate';
export * from './reader';
export * from './rejects';
export * from './threaded';
export * from './lines';
export * from './cells';
export * from './cohort';
