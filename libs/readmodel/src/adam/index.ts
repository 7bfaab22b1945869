export * from './xpt';
export * from './table';
export * from './adsl';
export * from './adtte';
export * from './package';
