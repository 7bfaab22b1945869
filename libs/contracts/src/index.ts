export * from './common';
export * from './enrollments';
export * from './notifications';
export * from './outcomes';
export * from './topics';
export * from './parse';
export * from './content';
export * from './csv-cells';
