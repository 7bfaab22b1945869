export * from './definitions';
export * from './consumer-hooks';
export * from './state-gauges';
export * from './metrics.controller';
