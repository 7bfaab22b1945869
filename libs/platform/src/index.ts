export * from './tokens';
export * from './logging';
export * from './kafka-batch.server';
export * from './platform.module';
export * from './health.controller';
export * from './bootstrap';
export * from './rethrow.filter';
export * from './unavailable.interceptor';
