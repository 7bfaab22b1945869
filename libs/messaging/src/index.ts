export * from './kafka';
export * from './checked-send';
export * from './consumer';
export * from './dead-letters';
export * from './errors';
export * from './status';
export * from './requests';
export * from './hooks';
