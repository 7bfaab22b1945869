// The closed report's other analyses for the DSMB: the stratified comparison beside
// the unstratified one, the subgroup forest plot, and per endpoint the cumulative incidence by
// arm with Gray's test, the cause-specific and the Fine-Gray hazard ratios. Only a dsmb read-out
// carries them by arm; the monitor's view never calls this module.
import { cifFigure } from './cif.js';
import { section, table } from './dom.js';
import { fixed, formatCi, formatHr, formatP, formatPct } from './format.js';
import { forestPlot } from './forest.js';

const FOUR_YEARS = 4 * 365.25;

const hr = (t) => (t ? `${formatHr(t.hazardRatio)} (95% CI ${formatCi(t.lower, t.upper)})` : 'not estimable');

/** The sections to add after the treatment comparison; none for a trial without an analysis plan. */
export function closedSections(readout, groups, trial) {
  const out = [];
  const arms = groups.map((g) => g.group);
  if (readout.stratified !== undefined) out.push(stratifiedSection(readout));
  if (Array.isArray(readout.subgroups) && readout.subgroups.length) {
    const note = 'Cox hazard ratio within each subgroup level (95% CI, log axis); interaction P from the likelihood-ratio test of arm by subgroup.';
    out.push(section('forest', 'Prespecified subgroups', note, forestPlot(readout.subgroups, arms)));
  }
  for (const [code, e] of Object.entries(readout.endpoints ?? {})) {
    const name = trial?.endpoints?.find?.((x) => x.code === code)?.name ?? code;
    const cr = e.competingRisks;
    if (!cr) {
      out.push(section(`endpoint-${code}`, `${name}: competing risks`, 'Not estimable yet (no death of this cause in the data so far).'));
      continue;
    }
    out.push(
      section(
        `endpoint-${code}`,
        `${name}, with other deaths competing`,
        "Cumulative incidence by arm (Aalen-Johansen; solid: this cause, dashed: other causes). Gray's test compares the cumulative incidence;" +
          ' the cause-specific Cox model the cause-specific hazard; Fine-Gray the subdistribution hazard (robust SE).',
        cifFigure(code, name, cr, groups),
        competingTable(code, cr),
      ),
    );
  }
  return out;
}

function stratifiedSection(readout) {
  const s = readout.stratified;
  const u = readout.cox?.terms?.[0];
  const rows = [['Unstratified', hr(u), formatP(u?.pValue), formatP(readout.logRank?.pValue)]];
  if (s) rows.push([`Stratified by ${s.strata.join(', ')}`, hr(s.cox.terms[0]), formatP(s.cox.terms[0]?.pValue), formatP(s.logRank.pValue)]);
  const note = s ? 'Cox model and log-rank test within the randomisation strata, beside the unstratified ones.' : 'Not estimable yet.';
  return section(
    'stratified',
    'Stratified comparison',
    note,
    table(['', `Hazard ratio, ${u?.group ?? ''}`, 'Cox P', 'Log-rank P'], rows, { num: [2, 3], rowHeader: true, testid: 'stratified' }),
  );
}

function cifAt(g, days) {
  let v = 0;
  for (const r of g.cif) {
    if (r.time > days) break;
    v = r.estimate;
  }
  return g.cif.length && days <= g.cif.at(-1).time ? v : null;
}

function competingTable(code, cr) {
  const rows = cr.groups.map((g) => [
    `Cumulative incidence at 4 years, ${g.group}`,
    formatPct(cifAt(g, FOUR_YEARS)),
    `${g.events} deaths of this cause`,
    '',
  ]);
  if (cr.gray) rows.push(["Gray's test", `χ² = ${fixed(cr.gray.chiSquare, 2)}`, `${cr.gray.df} df`, formatP(cr.gray.pValue)]);
  for (const t of cr.causeSpecificCox?.terms ?? []) {
    rows.push([`Cause-specific hazard ratio, ${t.group}`, hr(t), `z = ${fixed(t.z, 2)}`, formatP(t.pValue)]);
  }
  for (const t of cr.fineGray?.terms ?? []) rows.push([`Fine-Gray subdistribution HR, ${t.group}`, hr(t), `z = ${fixed(t.z, 2)}`, formatP(t.pValue)]);
  return table(['', 'Estimate', 'Statistic', 'P'], rows, { num: [3], rowHeader: true, testid: `competing-${code}` });
}
