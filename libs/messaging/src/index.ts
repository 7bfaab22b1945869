export * from './kafka';
export * from './consumer';
export * from './dead-letters';
export * from './errors';
export * from './status';
