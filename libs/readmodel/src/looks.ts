import type { InterimLookTaken, TrialRegistered } from '@trial/contracts';
import { assertNever, type FollowUp } from '@trial/followup';
import { interimAnalysis, SurvivalError, type InterimResult } from '@trial/survival';
import { closedAnalysis, hasAnalysisPlan, type ClosedFigures } from './closed';
import { interimOptionsOf, type LookPoint } from './interim';

/**
 * Looks taken, frozen. A look's closed report is computed once, when the
 * projector applies its InterimLookTaken, from the design the trial was registered under at that
 * point of its log and the events and z of looks 1..n as recorded: nothing that arrives later
 * (deaths, amendments, late registrations, a new design) reaches it, and a replay of the log
 * computes it again from the same inputs.
 */
export interface FrozenLook {
  event: InterimLookTaken;
  /** The design in force when the look was applied. */
  design: TrialRegistered;
  /** `followup interim` on looks 1..n; null when the design gives none (its reason in `unavailable`). */
  report: InterimResult | null;
  unavailable: string | null;
}

export type LookRefusal =
  { code: 'look-out-of-order'; reason: string } | { code: 'look-conflict'; reason: string } | { code: 'look-before-registration'; reason: string };

/** What applying one InterimLookTaken does to the looks held for its trial. */
export type LookDecision = { kind: 'append' } | { kind: 'duplicate' } | { kind: 'refuse'; refusal: LookRefusal };

const sameLook = (a: InterimLookTaken, b: InterimLookTaken): boolean =>
  a.look === b.look && a.events === b.events && a.z === b.z && a.asOf === b.asOf && a.dataCutoff === b.dataCutoff;

/**
 * Decides one look against those held: look n + 1 is appended; a look already held with the
 * same figures (a retried publish under another id) changes nothing; a gap, a look number held
 * with other figures, or a look of a trial not registered yet is refused (dead-lettered).
 */
export function decideLook(held: readonly InterimLookTaken[], design: TrialRegistered | null, e: InterimLookTaken): LookDecision {
  if (design === null) return refuse({ code: 'look-before-registration', reason: `look ${e.look} of trial ${e.trialId}, which is not registered` });
  if (e.look === held.length + 1) return { kind: 'append' };
  const same = held[e.look - 1];
  if (same !== undefined && sameLook(same, e)) return { kind: 'duplicate' };
  if (same !== undefined) return refuse({ code: 'look-conflict', reason: `look ${e.look} of trial ${e.trialId} is held with other figures` });
  const reason = `look ${e.look} of trial ${e.trialId} after ${held.length} looks: looks are numbered 1, 2, ...`;
  return refuse({ code: 'look-out-of-order', reason });
}

function refuse(refusal: LookRefusal): LookDecision {
  return { kind: 'refuse', refusal };
}

/** The closed report of the last of `looks`, under `design`. */
export function freeze(design: TrialRegistered, looks: readonly InterimLookTaken[]): FrozenLook {
  const event = looks[looks.length - 1];
  const points: LookPoint[] = looks.map((l) => ({ events: l.events, z: l.z }));
  try {
    return { event, design, report: interimAnalysis(interimOptionsOf(design, points)), unavailable: null };
  } catch (err) {
    if (!(err instanceof SurvivalError)) throw err;
    return { event, design, report: null, unavailable: `${err.code}: ${err.message}` };
  }
}

/**
 * The closed report's figures frozen with a look: closedAnalysis's by-arm cut
 * (the dsmb's, with the read-out's default query) of the follow-ups held at the look's asOf and
 * data cutoff, under the design the look was taken under; null for a design without an analysis
 * plan (a v1 trial), as its read-out has none.
 */
export function closedAtLook(design: TrialRegistered, followUps: readonly FollowUp[]): ClosedFigures | null {
  return hasAnalysisPlan(design) ? closedAnalysis(design, followUps).byArm : null;
}

/** Per trial, the design and looks held: the state `foldLooks` carries. */
export interface TrialLooks {
  design: TrialRegistered | null;
  looks: FrozenLook[];
}

/**
 * Folds trial-wide enrolment events, in log order, into each trial's design and frozen looks:
 * TrialRegistered sets the design later looks are taken under; InterimLookTaken is decided
 * (decideLook) and, appended, frozen. Returns the new looks and the refusals, in order.
 */
export function foldLooks(
  held: Map<string, TrialLooks>,
  events: ReadonlyArray<TrialRegistered | InterimLookTaken>,
): { appended: FrozenLook[]; refused: Array<{ event: InterimLookTaken; refusal: LookRefusal }> } {
  const appended: FrozenLook[] = [];
  const refused: Array<{ event: InterimLookTaken; refusal: LookRefusal }> = [];
  for (const e of events) {
    const t = held.get(e.trialId) ?? { design: null, looks: [] };
    held.set(e.trialId, t);
    if (e.type === 'TrialRegistered') {
      t.design = e;
      continue;
    }
    const d = decideLook(
      t.looks.map((l) => l.event),
      t.design,
      e,
    );
    switch (d.kind) {
      case 'append': {
        const frozen = freeze(t.design as TrialRegistered, [...t.looks.map((l) => l.event), e]);
        t.looks.push(frozen);
        appended.push(frozen);
        break;
      }
      case 'duplicate':
        break;
      case 'refuse':
        refused.push({ event: e, refusal: d.refusal });
        break;
      default:
        assertNever(d);
    }
  }
  return { appended, refused };
}
