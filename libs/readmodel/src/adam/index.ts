export * from './xpt';
export * from './table';
export * from './adsl';
export { RESERVED_NAMES, SUBJECT_VARIABLES } from './variables';
export * from './adtte';
export * from './package';
