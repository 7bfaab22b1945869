import { OutcomeEvent, RegistryRecord } from '@trial/contracts';
import { Clerical, LinkState, linkageDecider, ReviewItem, Target } from '@trial/linkage';

export type { EmittedFact, LinkState, ReviewItem } from '@trial/linkage';

export interface PlanInput {
  trialId: string;
  record: RegistryRecord;
  target: Target;
  /** Id the review would have (see reviewIdOf); used only when the target is review. */
  reviewId: string;
  prev: LinkState | null;
  clerical: Clerical | null;
  /** Patients whose consent is withdrawn: nothing more is published about them. */
  withdrawn: ReadonlySet<string>;
  occurredAt: string;
}

export interface Plan {
  next: LinkState;
  events: OutcomeEvent[];
  /** Events not published because their patient withdrew consent (kept for the audit). */
  suppressed: OutcomeEvent[];
  openReview: ReviewItem | null;
  /** A review that was open and no longer applies (the record was re-decided without it). */
  closeReview: string | null;
}

/**
 * Runs the linkage service's decider (@trial/linkage `linkageDecider`) for one record in one
 * trial and sorts what it decided into what the service writes: the new link state, the events
 * to publish and those held back, and the review to open or close.
 */
export function plan(input: PlanInput): Plan {
  const from = input.prev ?? linkageDecider.initialState();
  // The command as a literal, not a rest and a spread of the input: V8 builds those on a slow
  // runtime path, and this runs for every decision.
  const decided = linkageDecider.decide(
    {
      type: 'DecideRecord',
      trialId: input.trialId,
      record: input.record,
      target: input.target,
      reviewId: input.reviewId,
      clerical: input.clerical,
      withdrawn: input.withdrawn,
      occurredAt: input.occurredAt,
    },
    from,
  );
  const out: Plan = { next: from, events: [], suppressed: [], openReview: null, closeReview: null };
  if (!decided.ok) return out; // the linkage decider never rejects (its error type is never)
  for (const e of decided.value) {
    out.next = linkageDecider.evolve(out.next, e);
    switch (e.type) {
      case 'OutcomeDecided':
        (e.published ? out.events : out.suppressed).push(e.event);
        break;
      case 'ReviewOpened':
        out.openReview = e.item;
        break;
      case 'ReviewClosed':
        out.closeReview = e.reviewId;
        break;
      case 'LinkSettled':
        break;
      default: {
        const never: never = e;
        throw new Error(`unknown linkage event ${JSON.stringify(never)}`);
      }
    }
  }
  return out;
}
