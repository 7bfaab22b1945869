// The interim monitoring panel: `followup interim` as GET /trials/:id/interim gives
// it. The chart shows the efficacy and futility boundaries over information fraction, the z
// of every look taken joined as a path and the current position marked apart. Everything is on
// the observed z's scale: negative when the experimental arm has fewer deaths than expected, so
// the efficacy boundary is drawn at -efficacyZ (and +efficacyZ two-sided), futility at -futilityZ.
import { h, table } from './dom.js';
import { fixed, formatCi, formatHr, formatInt, formatP } from './format.js';
import { AXIS, follow } from './km.js';

const EFFICACY = '#111827';
const FUTILITY = '#0072B2';
const OBSERVED = '#D55E00';

const isPosition = (report, l) => report.prospective && l.taken && l.look === report.looksTaken + 1;

export function interimFigure(report) {
  const looks = report.looks ?? [];
  const xs = looks.map((l) => l.info);
  const efficacy = looks.map((l) => -l.efficacyZ);
  const upper = looks.map((l) => (report.sided === 2 ? l.efficacyZ : null));
  const futility = looks.map((l) => (l.futilityZ === null ? null : -l.futilityZ));
  const path = looks.map((l) => (l.taken && !isPosition(report, l) ? l.z : null));
  const now = looks.map((l) => (isPosition(report, l) ? l.z : null));
  const all = [...efficacy, ...upper, ...futility, ...path, ...now].filter((v) => typeof v === 'number' && Number.isFinite(v));
  const zMax = Math.min(8, Math.max(4, ...all.map((v) => Math.ceil(Math.abs(v) + 0.5))));
  const plot = h('div', { class: 'interim-plot' });
  const fig = h(
    'figure',
    { class: 'interim', 'data-testid': 'interim', 'data-looks-taken': String(report.looksTaken ?? 0) },
    h(
      'div',
      { class: 'legend' },
      h(
        'span',
        { class: 'legend-item' },
        h('span', { class: 'legend-line', style: `background:${EFFICACY}` }),
        `Efficacy boundary (${spendingName(report.spending)}, α = ${fixed(report.alpha, 3)}, ${report.sided === 2 ? 'two' : 'one'}-sided)`,
      ),
      report.futility !== 'none'
        ? h(
            'span',
            { class: 'legend-item' },
            h('span', { class: 'legend-line', style: `background:${FUTILITY}` }),
            `Futility boundary (non-binding, ${spendingName(report.futility)})`,
          )
        : null,
      h('span', { class: 'legend-item' }, h('span', { class: 'legend-dot', style: `background:${OBSERVED}` }), 'Observed z at the looks taken'),
      h('span', { class: 'legend-item' }, h('span', { class: 'legend-dot hollow', style: `border-color:${OBSERVED}` }), 'Now (not a look yet)'),
    ),
    plot,
  );
  const chart = new uPlot(
    {
      width: 600,
      height: 280,
      legend: { show: false },
      cursor: { y: false, points: { show: false }, drag: { x: false, y: false } },
      scales: { x: { time: false, range: [0, 1] }, y: { range: [-zMax, zMax] } },
      axes: [
        {
          label: 'Information fraction (deaths / planned deaths)',
          size: 34,
          labelSize: 22,
          splits: () => [0, 0.2, 0.4, 0.6, 0.8, 1],
          values: (u, v) => v.map((x) => x.toFixed(1)),
          ...AXIS,
        },
        { label: 'z (< 0 favours experimental)', size: 56, ...AXIS },
      ],
      series: [
        {},
        { label: 'efficacy', stroke: EFFICACY, width: 1.5, spanGaps: true, points: { show: true, size: 7, fill: EFFICACY } },
        { label: 'efficacy (upper)', stroke: EFFICACY, width: 1.5, dash: [4, 4], spanGaps: true, points: { show: true, size: 7, fill: '#fff' } },
        { label: 'futility', stroke: FUTILITY, width: 1.5, spanGaps: true, points: { show: true, size: 7, fill: FUTILITY } },
        { label: 'observed z', stroke: OBSERVED, width: 2, spanGaps: true, points: { show: true, size: 11, fill: OBSERVED, stroke: OBSERVED } },
        { label: 'now', stroke: OBSERVED, width: 0, paths: () => null, points: { show: true, size: 11, fill: '#fff', stroke: OBSERVED } },
      ],
    },
    [xs, efficacy, upper, futility, path, now],
    plot,
  );
  follow(plot, chart);
  fig.chart = chart;
  return fig;
}

function spendingName(s) {
  return s === 'obrien-fleming' ? "O'Brien-Fleming-type spending" : s === 'pocock' ? 'Pocock-type spending' : String(s ?? 'alpha spending');
}

/** A table per look: events, information, z, boundaries, action, repeated CI for the HR, repeated p, conditional power. */
export function interimTable(report, testid = 'interim-table') {
  const rows = (report.looks ?? []).map((l) => {
    const label = isPosition(report, l) ? `${l.look} (now)` : l.taken ? String(l.look) : `${l.look} (planned)`;
    return [
      label,
      formatInt(Math.round(l.events * 100) / 100),
      fixed(l.info, 3),
      l.taken ? fixed(l.z, 3) : '',
      fixed(-l.efficacyZ, 3) + (report.sided === 2 ? ` / ${fixed(l.efficacyZ, 3)}` : ''),
      l.futilityZ === null ? '—' : fixed(-l.futilityZ, 3),
      l.action ?? '',
      l.repeatedCi ? formatCi(l.repeatedCi.lower, l.repeatedCi.upper) : '',
      l.taken ? formatP(l.repeatedP) : '',
      typeof l.conditionalPower === 'number' ? fixed(l.conditionalPower, 3) : '',
    ];
  });
  return table(
    ['Look', 'Deaths', 'Information', 'Observed z', 'Efficacy z', 'Futility z', 'Action', 'Repeated 95% CI (HR)', 'Repeated P', 'Conditional power'],
    rows,
    { num: [1, 2, 3, 4, 5, 8, 9], testid },
  );
}

/** Conditional power under the design's hazard ratio and under the current trend, and the final inference once stopped. */
export function interimSummary(report) {
  const lines = [];
  if (report.conditionalPower)
    lines.push(`Conditional power at the design hazard ratio ${fixed(report.conditionalPower.hr1, 2)}: ${fixed(report.conditionalPower.final, 3)}.`);
  if (report.conditionalPowerTrend)
    lines.push(
      `Conditional power at the current trend (HR ${fixed(report.conditionalPowerTrend.hr, 2)}): ${fixed(report.conditionalPowerTrend.final, 3)}.`,
    );
  if (typeof report.conditionalRejectionProbability === 'number')
    lines.push(`Conditional rejection probability: ${fixed(report.conditionalRejectionProbability, 3)}.`);
  if (report.final) {
    const f = report.final;
    lines.push(
      `Final inference (stage-wise ordering, look ${f.look}): P = ${formatP(f.pValue)}, HR ${fixed(f.medianUnbiased, 2)} (95% CI ${formatCi(f.lower, f.upper)}).`,
    );
  }
  return h('p', { class: 'note', 'data-testid': 'conditional-power' }, lines.join(' '));
}

// The frozen look picked, per trial: kept across live redraws (dsmb.js loads it again).
const picked = new Map();
export const pickedLook = (trialId) => picked.get(trialId) ?? null;

/**
 * "Take look" (with confirmation) and the look picker. Taking a look records the read-out shown
 * now; a picked look opens its closed report as frozen when it was taken, whatever came after.
 */
export function lookControls({ api, trialId, looks, frozen, interim, onTaken, trial }) {
  // Endpoint codes by name (GET /trials/:id), for the closed figures frozen with a look.
  const names = new Map((trial?.endpoints ?? []).map((e) => [e.code, e.name]));
  const status = h('span', { class: 'muted', 'data-testid': 'look-status' });
  const take = h(
    'button',
    {
      type: 'button',
      'data-testid': 'take-look',
      onclick: async () => {
        const now = `${formatInt(interim.deaths)} deaths, z = ${fixed(interim.logRankZ, 3)}`;
        if (!confirm(`Record look ${looks.length + 1} at the read-out shown (${now})? The board's look is kept as it is, for good.`)) return;
        take.disabled = true;
        try {
          // The read-out shown, by its instant: deaths that arrived since do not slip into the look.
          const e = await api.post(`/trials/${encodeURIComponent(trialId)}/looks`, interim.asOf ? { asOf: interim.asOf } : {});
          status.textContent = `Look ${e.look} recorded (${formatInt(e.events)} deaths, z = ${fixed(e.z, 3)}).`;
          onTaken?.(e);
        } catch (err) {
          status.textContent = `Not recorded: ${err.message}`;
        } finally {
          take.disabled = false;
        }
      },
    },
    'Take look',
  );
  const frozenBox = h('div', { class: 'frozen-look', 'data-testid': 'frozen-look' }, frozen ? frozenReport(frozen, names) : null);
  const picker = h(
    'select',
    {
      'data-testid': 'look-picker',
      onchange: async () => {
        const n = Number(picker.value);
        if (!n) {
          picked.delete(trialId);
          frozenBox.replaceChildren();
          return;
        }
        picked.set(trialId, n);
        const look = await api.get(`/trials/${encodeURIComponent(trialId)}/looks/${n}`);
        frozenBox.replaceChildren(frozenReport(look, names));
      },
    },
    h('option', { value: '' }, 'Open a look taken…'),
    looks.map((l) =>
      h(
        'option',
        { value: String(l.taken.look), selected: frozen?.taken.look === l.taken.look },
        `Look ${l.taken.look}: ${formatInt(l.taken.events)} deaths, taken ${l.taken.takenAt.slice(0, 10)} by ${l.taken.takenBy}`,
      ),
    ),
  );
  return h('div', { class: 'look-controls' }, h('div', { class: 'look-actions' }, take, ' ', picker, ' ', status), frozenBox);
}

function frozenReport(look, names) {
  const t = look.taken;
  const head = h(
    'h3',
    {},
    `Look ${t.look}, frozen: ${formatInt(t.events)} deaths, z = ${fixed(t.z, 3)}, read-out as of ${t.asOf}${t.dataCutoff ? `, data cutoff ${t.dataCutoff}` : ''}`,
  );
  if (!look.report) return h('div', {}, head, h('p', { class: 'muted' }, `No report: ${look.unavailable}`));
  return h(
    'div',
    { 'data-look': String(t.look) },
    head,
    interimTable({ ...look.report, looksTaken: t.look, prospective: false }, 'frozen-look-table'),
    interimSummary(look.report),
    frozenClosed(look.closed, names),
  );
}

/**
 * The closed report's other figures as frozen with the look (stratified HR,
 * each subgroup's interaction P, per endpoint the cause-specific and Fine-Gray HRs and Gray's
 * test), as GET /trials/:id/looks/:n gives them; nothing for a trial without an analysis plan.
 */
function frozenClosed(closed, names) {
  if (!closed) return null;
  const hrOf = (t) => (t ? `${formatHr(t.hazardRatio)} (95% CI ${formatCi(t.lower, t.upper)})` : 'not estimable');
  const rows = [];
  const s = closed.stratified;
  if (s)
    rows.push([
      `Stratified by ${s.strata.join(', ')}`,
      hrOf(s.cox.terms[0]),
      formatP(s.cox.terms[0]?.pValue),
      `Log-rank P ${formatP(s.logRank.pValue)}`,
    ]);
  for (const g of closed.subgroups ?? []) rows.push([`Subgroups by ${g.variable}`, '', '', `Interaction P ${formatP(g.interaction?.pValue)}`]);
  for (const [code, e] of Object.entries(closed.endpoints ?? {})) {
    const name = names.get(code) ?? code;
    const cr = e.competingRisks;
    if (!cr) {
      rows.push([name, 'not estimable yet', '', '']);
      continue;
    }
    const cs = cr.causeSpecificCox?.terms?.[0];
    const fg = cr.fineGray?.terms?.[0];
    rows.push([`${name}, cause-specific Cox`, hrOf(cs), formatP(cs?.pValue), `Gray's test P ${formatP(cr.gray?.pValue)}`]);
    rows.push([`${name}, Fine-Gray`, hrOf(fg), formatP(fg?.pValue), '']);
  }
  return h(
    'div',
    { class: 'frozen-closed' },
    h('h4', {}, 'Closed report at this look'),
    table(['', 'Hazard ratio', 'P', ''], rows, { num: [2], rowHeader: true, testid: 'frozen-closed' }),
  );
}
