import { Api } from './api-client';

const MONTH = 365.25 / 12;

/** BCIS-1 long-term follow-up as published, and the pipeline's figures beside it. */
export interface PaperFigures {
  hazardRatio: number;
  lower: number;
  upper: number;
  pValue: number;
  medianFollowUpMonths: number;
  q1Months: number;
  q3Months: number;
  sixMonthMortality: Record<string, number>;
  deathsPer100PY: Record<string, number>;
  deaths: Record<string, number>;
  randomised: Record<string, number>;
}

export const PAPER: PaperFigures = {
  hazardRatio: 0.66,
  lower: 0.44,
  upper: 0.98,
  pValue: 0.039,
  medianFollowUpMonths: 51,
  q1Months: 41,
  q3Months: 58,
  sixMonthMortality: { IABP: 0.046, control: 0.074 },
  deathsPer100PY: { IABP: 7.9, control: 12.1 },
  deaths: { IABP: 42, control: 58 },
  randomised: { IABP: 151, control: 150 },
};

/** Reads the figures back from the read models: the survival read-out and the ADTTE export. */
export async function pipelineFigures(api: Api): Promise<PaperFigures> {
  const s = await api.survival('?at=182');
  const term = s.cox?.terms[0];
  if (!term || !s.followUp) throw new Error('the read-out has no hazard ratio or follow-up yet');
  const byGroup = Object.fromEntries(s.groups.map((g) => [g.group, g]));
  const csv = await api.get<string>(`/trials/${encodeURIComponent(s.trialId)}/adtte.csv`);
  const [header, ...rows] = csv.trim().split(/\r?\n/);
  const cols = header.split(',');
  const col = (name: string) => cols.indexOf(name);
  const years: Record<string, number> = {};
  const events: Record<string, number> = {};
  for (const r of rows) {
    const cells = r.split(',');
    const arm = cells[col('TRTP')].replace(/^"|"$/g, '');
    years[arm] = (years[arm] ?? 0) + Number(cells[col('AVAL')]) / 365.25;
    events[arm] = (events[arm] ?? 0) + (cells[col('CNSR')] === '0' ? 1 : 0);
  }
  const arms = Object.keys(byGroup);
  return {
    hazardRatio: term.hazardRatio,
    lower: term.lower,
    upper: term.upper,
    pValue: term.pValue,
    medianFollowUpMonths: (s.followUp.median ?? NaN) / MONTH,
    q1Months: (s.followUp.q1 ?? NaN) / MONTH,
    q3Months: (s.followUp.q3 ?? NaN) / MONTH,
    sixMonthMortality: Object.fromEntries(arms.map((a) => [a, 1 - (byGroup[a].at[0]?.survival ?? NaN)])),
    deathsPer100PY: Object.fromEntries(arms.map((a) => [a, (100 * events[a]) / years[a]])),
    deaths: Object.fromEntries(arms.map((a) => [a, byGroup[a].events])),
    randomised: Object.fromEntries(arms.map((a) => [a, byGroup[a].n])),
  };
}

/** The table; `looks` adds the board's looks, each line read from its frozen report (demo/looks.ts lookRows). */
export function formatPaperTable(p: PaperFigures, ours: PaperFigures, looks: ReadonlyArray<[string, string]> = []): string {
  const f2 = (x: number) => x.toFixed(2);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const row = (label: string, a: string, b: string) => `  ${label.padEnd(34)}${a.padEnd(24)}${b}`;
  const arms = (m: Record<string, number>, fmt: (x: number) => string) => `${fmt(m.IABP)} vs ${fmt(m.control)}`;
  return [
    row('BCIS-1 long-term follow-up', 'paper', 'trial-followup (read models)'),
    row('', '-----', '----------------------------'),
    row('randomised (IABP vs control)', arms(p.randomised, String), arms(ours.randomised, String)),
    row('deaths (IABP vs control)', arms(p.deaths, String), arms(ours.deaths, String)),
    row(
      'hazard ratio (95% CI)',
      `${f2(p.hazardRatio)} (${f2(p.lower)}-${f2(p.upper)})`,
      `${f2(ours.hazardRatio)} (${f2(ours.lower)}-${f2(ours.upper)})`,
    ),
    row('P (Wald)', p.pValue.toFixed(3), ours.pValue.toFixed(3)),
    row(
      'median follow-up, months (IQR)',
      `${p.medianFollowUpMonths} (${p.q1Months}-${p.q3Months})`,
      `${ours.medianFollowUpMonths.toFixed(1)} (${ours.q1Months.toFixed(1)}-${ours.q3Months.toFixed(1)})`,
    ),
    row('6-month mortality', arms(p.sixMonthMortality, pct), arms(ours.sixMonthMortality, pct)),
    row(
      'deaths per 100 patient-years',
      arms(p.deathsPer100PY, (x) => x.toFixed(1)),
      arms(ours.deathsPer100PY, (x) => x.toFixed(1)),
    ),
    ...looks.map(([label, figures]) => row(label, '', figures)),
  ].join('\n');
}
