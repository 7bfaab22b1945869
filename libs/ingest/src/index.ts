// @trial/ingest: registry extract files into registry.notifications (used by `followup ingest`,
// apps/ingest's POST /registry/extracts and bench/ingest.ts).
export * from './pipeline';
export * from './upload';
export * from './completeness';
export * from './corrections';
export type { ThreadOptions } from './publisher';
