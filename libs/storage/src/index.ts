export * from './data-source';
export * from './checkpoints';
export * from './outbox';
export * from './park';
export * from './audit-chain';
export * from './roles';
export * from './redrive';
export * from './copy';
