// The DSMB's closed report: unblinded, by arm. Every request here is audited by the API.
import { h, section, stat, swatch, table } from './dom.js';
import { DASH, fixed, formatCi, formatDate, formatHr, formatInt, formatMonths, formatP, formatPct } from './format.js';
import { interimFigure, interimSummary, interimTable, lookControls, pickedLook } from './interim.js';
import { closedSections } from './closed.js';
import { kmFigure } from './km.js';
import { atRiskOf, completenessOf, groupsOf, plannedEventsOf, rateOf, sixMonths, survivalAt } from './model.js';

// The trial's own record (title, design) does not change with events: read it once per trial,
// so a live redraw costs two audited reads, not three.
const trials = new Map();

export async function loadDsmb(api, trialId, asOf) {
  const id = encodeURIComponent(trialId);
  const q = asOf ? { asOf } : {};
  if (!trials.has(trialId))
    trials.set(
      trialId,
      api.optional(`/trials/${id}`).catch((e) => {
        trials.delete(trialId);
        throw e;
      }),
    );
  const n = pickedLook(trialId);
  const [trial, readout, interim, looks, frozen] = await Promise.all([
    trials.get(trialId),
    api.readout(`/trials/${id}/survival`, q),
    api.optional(`/trials/${id}/interim`, q),
    api.optional(`/trials/${id}/looks`),
    n ? api.optional(`/trials/${id}/looks/${n}`) : null,
  ]);
  return { trial, readout, interim, looks: looks ?? [], frozen, api, trialId, asOf };
}

export function renderDsmb({ trial, readout, interim, looks, frozen, api, trialId, asOf }) {
  if (readout.unavailable) return [unavailable(readout.unavailable), completenessSection(readout, trial)];
  const groups = groupsOf(readout);
  const term = readout.cox?.terms?.[0] ?? null;
  const ref = readout.cox?.reference ?? groups[0]?.group;
  const planned = plannedEventsOf(trial, interim);
  const fu = readout.followUp;
  const out = [];

  out.push(
    h(
      'div',
      { class: 'stats' },
      deathsStat('Deaths', readout, planned, `${formatInt(readout.n)} patients`),
      stat(
        term ? `Hazard ratio, ${term.group} vs ${ref}` : 'Hazard ratio',
        term ? formatHr(term.hazardRatio) : DASH,
        term
          ? `95% CI ${formatCi(term.lower, term.upper)}`
          : `not estimable yet${readout.notEstimable?.cox ? ` (${readout.notEstimable.cox.replace(/^[A-Z_]+: /, '')})` : ''}`,
        'hr',
      ),
      stat(
        'Log-rank P',
        formatP(readout.logRank?.pValue),
        readout.logRank ? `χ² = ${fixed(readout.logRank.chiSquare, 2)} on ${readout.logRank.df} df` : null,
        'logrank-p',
      ),
      followUpStat(fu, ' (reverse Kaplan-Meier)'),
    ),
  );

  out.push(
    section(
      'survival',
      'Overall survival by arm',
      'Kaplan-Meier estimates with pointwise 95% confidence intervals (log scale, as R survival). Ticks mark censored patients.',
      kmFigure(
        groups.map((g) => ({ label: g.group, color: g.color, band: g.band, rows: g.km ?? [] })),
        atRiskOf(readout, groups),
      ),
    ),
  );

  out.push(section('arms', 'Deaths and person-time by arm', null, armTable(groups, readout, ref)));

  if (readout.cox || readout.logRank)
    out.push(
      section(
        'comparison',
        'Treatment comparison',
        `Cox proportional hazards (${readout.cox?.ties ?? readout.ties ?? 'efron'} ties), reference arm ${ref}.`,
        comparisonTable(readout),
      ),
    );
  out.push(...closedSections(readout, groups, trial));

  if (interim && Array.isArray(interim.looks)) {
    // The contract's sign (stats-cli.md part 3): z < 0 when the experimental arm has fewer deaths than expected.
    const favours = term ? ` Negative z favours ${term.group}.` : ' Negative z favours the experimental arm.';
    const futility = interim.futility === 'none' ? '' : ' It may stop for futility (non-binding) when z rises above the futility boundary.';
    out.push(
      section(
        'interim',
        'Interim monitoring',
        `Group-sequential log-rank test over ${formatInt(interim.plannedEvents)} planned deaths: boundaries at the information of the looks the board took, the current position as the next look, then the planned looks. The trial may stop for efficacy when the observed z falls below the efficacy boundary.${futility}${favours}`,
        interimFigure(interim),
        interimTable(interim),
        interimSummary(interim),
        asOf ? null : lookControls({ api, trialId, looks, frozen, interim, trial }),
      ),
    );
  } else {
    out.push(section('interim', 'Interim monitoring', null, h('p', { class: 'muted' }, 'The API did not return interim boundaries for this trial.')));
  }
  out.push(completenessSection(readout, trial));
  return out;
}

function armTable(groups, readout, ref) {
  const rows = groups.map((g) => {
    const rate = rateOf(readout, g);
    const med = g.median ?? {};
    return [
      h('span', {}, swatch(g.color), g.group + (g.group === ref ? ' (reference)' : '')),
      formatInt(g.n),
      formatInt(g.events),
      fixed(rate.personYears, 1),
      fixed(rate.per100PersonYears, 1),
      formatPct(survivalAt(g, sixMonths) === null ? null : 1 - survivalAt(g, sixMonths)),
      med.estimate == null ? 'not reached' : `${formatMonths(med.estimate)} (${formatMonths(med.lower)} to ${formatMonths(med.upper)})`,
    ];
  });
  return table(
    ['Arm', 'Patients', 'Deaths', 'Person-years', 'Deaths per 100 person-years', 'Mortality at 6 months', 'Median survival, months (95% CI)'],
    rows,
    { num: [1, 2, 3, 4, 5], testid: 'arm-table' },
  );
}

function comparisonTable(readout) {
  const rows = [];
  for (const t of readout.cox?.terms ?? []) {
    rows.push([
      `Hazard ratio, ${t.group}`,
      `${formatHr(t.hazardRatio)} (95% CI ${formatCi(t.lower, t.upper)})`,
      `z = ${fixed(t.z, 2)}`,
      formatP(t.pValue),
    ]);
  }
  const c = readout.cox;
  if (c?.likelihoodRatio)
    rows.push([
      'Likelihood ratio test',
      `χ² = ${fixed(c.likelihoodRatio.chiSquare, 2)}`,
      `${c.likelihoodRatio.df} df`,
      formatP(c.likelihoodRatio.pValue),
    ]);
  if (c?.wald) rows.push(['Wald test', `χ² = ${fixed(c.wald.chiSquare, 2)}`, `${c.wald.df} df`, formatP(c.wald.pValue)]);
  if (readout.logRank)
    rows.push(['Log-rank test', `χ² = ${fixed(readout.logRank.chiSquare, 2)}`, `${readout.logRank.df} df`, formatP(readout.logRank.pValue)]);
  return table(['', 'Estimate', 'Statistic', 'P'], rows, { num: [3], rowHeader: true, testid: 'comparison' });
}

export function completenessSection(readout, trial) {
  const rows = completenessOf(readout, trial).map(([source, date]) => [source, formatDate(date)]);
  return section(
    'completeness',
    'Data completeness',
    'Registry follow-up is complete up to these dates; patients are censored there at the latest.',
    rows.length
      ? table(['Registry', 'Complete up to'], rows, { testid: 'completeness' })
      : h('p', { class: 'muted' }, 'No registry extract has been completed yet.'),
  );
}

export function unavailable(message) {
  return section(
    'survival',
    'Read-out not available yet',
    null,
    h('p', { 'data-testid': 'unavailable' }, `The API cannot give this read-out yet (${message}). It will appear here as soon as the data allow.`),
  );
}

/** The deaths stat, against the planned events when the design has them, else `otherwise` beneath it. */
export function deathsStat(label, readout, planned, otherwise) {
  const sub = planned ? `of ${formatInt(planned)} planned · information ${formatPct(readout.events / planned, 0)}` : otherwise;
  return stat(label, formatInt(readout.events), sub, 'deaths');
}

/** The median follow-up stat with its interquartile range (`how`: how it was estimated, or ''). */
export function followUpStat(fu, how) {
  return stat(
    'Median follow-up',
    fu ? `${formatMonths(fu.median)} months` : DASH,
    fu ? `IQR ${formatMonths(fu.q1)} to ${formatMonths(fu.q3)}${how}` : null,
    'median-fu',
  );
}
