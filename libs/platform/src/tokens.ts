/** Injection tokens shared by the services. */
export const CONFIG = Symbol('CONFIG');
export const KAFKA = Symbol('KAFKA');
export const PRODUCER = Symbol('PRODUCER');
export const TOPICS = Symbol('TOPICS');
export const LOG = Symbol('LOG');
/** `() => string`: the current instant as ISO 8601. Injected so domain code never reads a clock. */
export const CLOCK = Symbol('CLOCK');
export type Clock = () => string;
/** The service's ConsumerStatus (state `none` when it has no consumer), read by /health. */
export const CONSUMER_STATUS = Symbol('CONSUMER_STATUS');

/** The service's ServiceMetrics (its own prom-client registry), served on /metrics. */
export const METRICS = Symbol('METRICS');
