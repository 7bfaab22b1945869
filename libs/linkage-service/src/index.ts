// @trial/linkage-service: the linkage service's state and rules around @trial/linkage's pure decision.
// plan.ts and target.ts are pure; store.ts and service.ts run inside the caller's transaction.
export * from './ids';
export * from './target';
export * from './plan';
export * from './store';
export * from './service';
export * from './reviews';
export * from './models';
export * from './mirror';
export * from './priors';
export * from './tick';
