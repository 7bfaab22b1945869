import type { TrialRegistered } from '@trial/contracts';
import { groupSequentialDesign, interimAnalysis, type InterimOptions, type InterimResult, type SurvivalReadout } from '@trial/survival';

/** A look's figures: cumulative deaths and the signed log-rank z (contract sign: negative favours experimental). */
export interface LookPoint {
  events: number;
  z: number;
}

/**
 * The signed log-rank z of a two-arm read-out, as `followup interim` takes it: sqrt(chi-square),
 * negative when the experimental arm has fewer deaths than expected (Cox HR < 1). Null with
 * other than two arms or before any death.
 */
export function signedLogRankZ(readout: SurvivalReadout): number | null {
  if (readout.logRank === null || readout.cox === null || readout.cox.terms.length !== 1) return null;
  return Math.sqrt(readout.logRank.chiSquare) * (readout.cox.terms[0].coef < 0 ? -1 : 1);
}

/**
 * `followup interim`'s options for a trial's design (TrialRegistered v2's monitoring plan: the
 * futility spending and beta, the design hazard ratio as hr1, the allocation ratio) and looks.
 */
export function interimOptionsOf(design: TrialRegistered, looks: readonly LookPoint[]): InterimOptions {
  return {
    plannedEvents: design.plannedEvents,
    events: looks.map((l) => l.events),
    z: looks.map((l) => l.z),
    looks: design.looks,
    alpha: design.alpha,
    sided: design.sided,
    spending: design.spending,
    futility: design.futility.spending,
    ...(design.futility.beta === null ? {} : { beta: design.futility.beta }),
    ...(design.designHazardRatio === null ? {} : { hr1: design.designHazardRatio }),
    allocation: design.allocationRatio,
  };
}

/** The interim read-out (GET /trials/:id/interim): `followup interim`'s document plus where the board stands. */
export interface InterimReport extends InterimResult {
  deaths: number;
  /** deaths / plannedEvents, capped at 1. */
  informationFraction: number;
  /** The signed log-rank z now (contract sign), null with other than two arms. */
  logRankZ: number | null;
  /** Looks recorded by the board (InterimLookTaken). */
  looksTaken: number;
  /** Whether the last look of `looks` marked taken is the current position, not yet recorded: it becomes look looksTaken + 1 when taken. */
  prospective: boolean;
}

/**
 * The DSMB's interim position, as `followup interim` computes it: every look the board took
 * (their events and z as recorded), then the current position as a prospective look when there
 * is new information since, then the planned looks still to come. With no look at all (no
 * death yet, or no two-arm comparison), the planned design's boundaries, every look to come.
 */
export function interimReport(design: TrialRegistered, taken: readonly LookPoint[], readout: SurvivalReadout): InterimReport {
  const deaths = readout.events;
  const z = signedLogRankZ(readout);
  const last = taken.length ? taken[taken.length - 1].events : 0;
  const prospective = z !== null && deaths > last && !taken.some((l) => l.events >= design.plannedEvents);
  const looks = prospective && z !== null ? [...taken, { events: deaths, z }] : [...taken];
  const result = looks.length ? interimAnalysis(interimOptionsOf(design, looks)) : plannedOnly(design);
  return {
    ...result,
    deaths,
    informationFraction: Math.min(1, deaths / design.plannedEvents),
    logRankZ: z,
    looksTaken: taken.length,
    prospective,
  };
}

/** The design at its planned looks, none taken (no look's figures yet). */
function plannedOnly(design: TrialRegistered): InterimResult {
  const futility =
    design.futility.spending === 'none' || design.futility.beta === null
      ? undefined
      : { spending: design.futility.spending, beta: design.futility.beta };
  const d = groupSequentialDesign({ info: design.looks, alpha: design.alpha, sided: design.sided, spending: design.spending, futility });
  const K = design.looks.length;
  return {
    plannedEvents: design.plannedEvents,
    alpha: design.alpha,
    sided: design.sided,
    spending: design.spending,
    futility: design.futility.spending,
    looks: design.looks.map((info, i) => ({
      look: i + 1,
      info,
      taken: false,
      events: design.plannedEvents * info,
      efficacyZ: d.criticalValues[i],
      futilityZ: d.futilityBounds !== null && i < K - 1 ? d.futilityBounds[i] : null,
      cumulativeAlpha: d.alphaSpent[i],
    })),
    conditionalRejectionProbability: null,
    final: null,
  };
}
