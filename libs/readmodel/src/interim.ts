import type { TrialRegistered } from '@trial/contracts';
import { BoundaryLook, lanDeMetsBoundaries, SurvivalReadout } from '@trial/survival';

export interface InterimReport {
  plannedEvents: number;
  deaths: number;
  /** deaths / plannedEvents, capped at 1. */
  informationFraction: number;
  spending: TrialRegistered['spending'];
  alpha: number;
  sided: 1 | 2;
  /** The design's planned looks reached so far, then the current look. */
  looks: BoundaryLook[];
  /**
   * Signed log-rank z for two arms: sqrt(chi-square), positive when the experimental arm's
   * hazard is lower than the reference's (Cox HR < 1). Null with other than two arms.
   */
  logRankZ: number | null;
  /** Whether |z| (two-sided) or z (one-sided) reaches the current look's boundary. */
  crosses: boolean | null;
}

/**
 * The DSMB's interim position. Looks: the planned information fractions already passed, and
 * the current fraction as the latest look, so the boundary shown is the one that applies if the
 * DSMB looked now (Lan-DeMets spending allows unplanned look times).
 */
export function interimReport(design: TrialRegistered, readout: SurvivalReadout): InterimReport {
  const deaths = readout.events;
  const info = Math.min(1, deaths / design.plannedEvents);
  const infos = design.looks.filter((l) => l < info - 1e-12);
  if (info > 0) infos.push(info);
  const looks = infos.length ? lanDeMetsBoundaries({ info: infos, alpha: design.alpha, sided: design.sided, spending: design.spending }).looks : [];
  let logRankZ: number | null = null;
  if (readout.logRank !== null && readout.cox !== null && readout.cox.terms.length === 1) {
    logRankZ = Math.sqrt(readout.logRank.chiSquare) * (readout.cox.terms[0].coef < 0 ? 1 : -1);
  }
  const current = looks.length ? looks[looks.length - 1] : null;
  const crosses = logRankZ === null || current === null ? null
    : design.sided === 2 ? Math.abs(logRankZ) >= current.z : logRankZ >= current.z;
  return {
    plannedEvents: design.plannedEvents, deaths, informationFraction: info, spending: design.spending,
    alpha: design.alpha, sided: design.sided, looks, logRankZ, crosses,
  };
}
