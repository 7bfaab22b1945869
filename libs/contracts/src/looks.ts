import { z } from 'zod';
import { civilDate, eventId, instant, nonEmpty, text } from './common';

/**
 * InterimLookTaken v1: a DSMB member recorded a look at the interim read-out.
 * Published by the API on trial.enrollments keyed `trialId:`, like TrialRegistered, so that it
 * keeps its place after the design it was taken under and replays with it.
 * - `look`: 1, 2, ... in the order taken; the projector refuses a gap;
 * - `asOf`: the instant of the read-out the board saw (GET /trials/:id/interim's asOf), so
 *   `?asOf=` reopens the survival figures behind it;
 * - `dataCutoff`: the administrative cutoff the read-out used, or null;
 * - `events` and `z`: the deaths and the signed log-rank z at it, negative when the
 *   experimental arm has fewer deaths than expected (the contract's sign, stats-cli.md part 3);
 * - `takenBy`: the member's subject; never a token or any other credential.
 */
export const interimLookTaken = z.object({
  v: z.literal(1),
  type: z.literal('InterimLookTaken'),
  eventId,
  trialId: nonEmpty,
  look: z.number().int().positive().max(100),
  asOf: instant,
  dataCutoff: civilDate.nullable(),
  events: z.number().int().positive(),
  z: z.number().finite(),
  // A subject, never a credential: a JWT (its header starts `eyJ`) is refused.
  takenBy: text(200)
    .refine((s) => s.trim().length > 0, 'is required')
    .refine((s) => !/eyJ[A-Za-z0-9_-]{4,}\./.test(s), 'must be a subject, not a token'),
  takenAt: instant,
});
export type InterimLookTaken = z.infer<typeof interimLookTaken>;
