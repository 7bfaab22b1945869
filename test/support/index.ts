export * from './env';
export * from './services';
export * from './roles';
export * from './database';
