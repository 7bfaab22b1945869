import type { InterimLookTaken, TrialRegistered } from '@trial/contracts';
import { assertNever } from '@trial/followup';
import type { LookPoint } from './interim';

/** What the board sees when it asks to take a look: the design, the looks held and the read-out now. */
export interface LookPosition {
  trialId: string;
  design: TrialRegistered | null;
  taken: readonly InterimLookTaken[];
  /** Deaths and signed z now; z null without a two-arm comparison. */
  now: { events: number; z: number | null };
  asOf: string;
  dataCutoff: string | null;
}

export interface TakeLook {
  takenBy: string;
  takenAt: string;
  eventId: string;
}

export type TakeLookRefusal =
  | { code: 'no-design'; reason: string }
  | { code: 'no-comparison'; reason: string }
  | { code: 'no-new-information'; reason: string }
  | { code: 'final-look-taken'; reason: string }
  // Another API process reserved this look number first (look_reservations' key): the backstop.
  | { code: 'look-number-taken'; reason: string };

export type TakeLookResult = { ok: true; event: InterimLookTaken } | { ok: false; error: TakeLookRefusal };

/**
 * Whether the board may take a look now, and the InterimLookTaken it records (pure). A look
 * needs a registered design, a two-arm log-rank z, deaths beyond the last look's (the same
 * information twice is one look) and no final look taken (the planned events reached).
 */
export function decideTakeLook(p: LookPosition, cmd: TakeLook): TakeLookResult {
  const refusal = refusalOf(p);
  if (refusal !== null) return { ok: false, error: refusal };
  const point = p.now as LookPoint;
  return {
    ok: true,
    event: {
      v: 1,
      type: 'InterimLookTaken',
      eventId: cmd.eventId,
      trialId: p.trialId,
      look: p.taken.length + 1,
      asOf: p.asOf,
      dataCutoff: p.dataCutoff,
      events: point.events,
      z: point.z,
      takenBy: cmd.takenBy,
      takenAt: cmd.takenAt,
    },
  };
}

function refusalOf(p: LookPosition): TakeLookRefusal | null {
  const last = p.taken[p.taken.length - 1];
  if (p.design === null) return { code: 'no-design', reason: `trial ${p.trialId} has no TrialRegistered yet, so no design` };
  if (last !== undefined && last.events >= p.design.plannedEvents) {
    return { code: 'final-look-taken', reason: `look ${last.look} reached the ${p.design.plannedEvents} planned events: it was the final analysis` };
  }
  if (p.now.z === null || p.now.events === 0) return { code: 'no-comparison', reason: 'no two-arm log-rank z yet (two arms and a death are needed)' };
  if (last !== undefined && p.now.events <= last.events) {
    return { code: 'no-new-information', reason: `${p.now.events} deaths, as at look ${last.look}: no information since` };
  }
  return null;
}

/** HTTP status of a refused look (the API's filter). */
export function takeLookStatus(e: TakeLookRefusal): number {
  switch (e.code) {
    case 'no-design':
    case 'no-comparison':
    case 'no-new-information':
    case 'final-look-taken':
    case 'look-number-taken':
      return 409;
    default:
      return assertNever(e);
  }
}
