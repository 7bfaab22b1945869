import type { ClosedFigures } from '@trial/readmodel';
import type { CoxTerm } from '@trial/survival';
import type { Api } from './api-client';

/** Four years in days: the CIF time the demo's table reports (BCIS-1's follow-up reaches it in both arms). */
export const FOUR_YEARS = 1461;

/** The closed report's lines of the demo's final table: CV death, its CIF at four years, Fine-Gray, stratified HR. */
export interface ClosedDemoFigures {
  strata: string[];
  stratified: CoxTerm | null;
  cvDeaths: Record<string, number>;
  cif4y: Record<string, number | null>;
  fineGray: CoxTerm | null;
  gray: number | null;
}

/** Reads the dsmb read-out's stratified and CVDEATH competing-risks blocks (null when the trial has no plan). */
export async function closedFigures(api: Api): Promise<ClosedDemoFigures | null> {
  const s = (await api.survival(`?at=${FOUR_YEARS}`)) as Awaited<ReturnType<Api['survival']>> & Partial<ClosedFigures>;
  const cr = s.endpoints?.CVDEATH?.competingRisks;
  if (!cr || s.stratified === undefined) return null;
  return {
    strata: s.stratified?.strata ?? [],
    stratified: s.stratified?.cox.terms[0] ?? null,
    cvDeaths: Object.fromEntries(cr.groups.map((g) => [g.group, g.events])),
    cif4y: Object.fromEntries(cr.groups.map((g) => [g.group, g.at[0]?.estimate ?? null])),
    fineGray: cr.fineGray?.terms[0] ?? null,
    gray: cr.gray?.pValue ?? null,
  };
}

/** The lines, in the paper table's columns (the paper reports none of these: a dash there). */
export function formatClosedLines(c: ClosedDemoFigures): string {
  const row = (label: string, b: string) => `  ${label.padEnd(34)}${'-'.padEnd(24)}${b}`;
  const hr = (t: CoxTerm | null) =>
    t ? `${t.hazardRatio.toFixed(2)} (${t.lower.toFixed(2)}-${t.upper.toFixed(2)}), P ${t.pValue.toFixed(3)}` : 'not estimable';
  const pct = (x: number | null | undefined) => (typeof x === 'number' ? `${(100 * x).toFixed(1)}%` : '-');
  return [
    row(`stratified HR (${c.strata.join(', ')})`, hr(c.stratified)),
    row('CV deaths (IABP vs control)', `${c.cvDeaths.IABP ?? 0} vs ${c.cvDeaths.control ?? 0}`),
    row('CV death CIF at 4 years', `${pct(c.cif4y.IABP)} vs ${pct(c.cif4y.control)}`),
    row('CV death Fine-Gray sHR (95% CI)', hr(c.fineGray)),
    row("CV death Gray's test P", c.gray === null ? '-' : c.gray.toFixed(3)),
  ].join('\n');
}
