// The trial monitor's blinded view: pooled figures only. It requests no by-arm endpoint
// (no interim, no ADTTE); the API returns the survival read-out as one group `all`.
import { h, section, stat, table } from './dom.js';
import { DASH, formatDate, formatInt, formatPct } from './format.js';
import { completenessSection, deathsStat, followUpStat, unavailable } from './dsmb.js';
import { AXIS, follow, kmFigure } from './km.js';
import { atRiskOf, groupsOf, plannedEventsOf, survivalAt } from './model.js';
import { DAYS_PER_MONTH } from './format.js';

export async function loadMonitor(api, trialId) {
  const id = encodeURIComponent(trialId);
  const [trial, readout] = await Promise.all([api.optional(`/trials/${id}`), api.readout(`/trials/${id}/survival`)]);
  return { trial, readout };
}

export function renderMonitor({ trial, readout }) {
  if (readout.unavailable) return [unavailable(readout.unavailable), accrualSection(trial?.accrual ?? null), completenessSection(readout, trial)];
  // Defence in depth: draw only the pooled group even if a response ever carried more.
  const groups = groupsOf({ groups: (readout.groups ?? []).filter((g) => g.group === 'all') });
  const pooled = groups[0];
  const accrual = trial?.accrual ?? null;
  const planned = plannedEventsOf(trial, null);
  const fu = readout.followUp;
  const out = [];
  out.push(
    h(
      'div',
      { class: 'stats' },
      stat(
        'Randomised',
        formatInt(accrual?.total ?? readout.n),
        accrual?.bySiteMonth ? `at ${new Set(accrual.bySiteMonth.map((r) => r.site)).size} sites` : null,
        'randomised',
      ),
      deathsStat(
        'Deaths, all arms',
        readout,
        planned,
        typeof trial?.informationFraction === 'number' ? `information fraction ${formatPct(trial.informationFraction, 0)}` : null,
      ),
      followUpStat(fu, ''),
      stat('Pooled 12-month survival', pooled ? formatPct(at(pooled, 12)) : DASH, 'all arms together', 'pooled-12m'),
    ),
  );
  if (pooled) {
    out.push(
      section(
        'survival',
        'Overall survival, all patients',
        'Pooled Kaplan-Meier estimate with pointwise 95% confidence interval. Blinded: arms are not shown.',
        kmFigure([{ label: 'All patients', color: pooled.color, band: pooled.band, rows: pooled.km ?? [] }], relabel(atRiskOf(readout, groups))),
      ),
    );
  }
  out.push(accrualSection(accrual));
  out.push(completenessSection(readout, trial));
  return out;
}

const at = (g, months) => survivalAt(g, months * DAYS_PER_MONTH);

const relabel = (ar) => ({ months: ar.months, rows: ar.rows.map((r) => ({ ...r, label: 'All' })) });

function accrualSection(accrual) {
  const rows = accrual?.bySiteMonth;
  if (!Array.isArray(rows))
    return section('accrual', 'Accrual', null, h('p', { class: 'muted' }, 'The API did not return accrual by site and month.'));
  const months = [...new Set(rows.map((r) => r.month))].sort();
  const sites = [...new Set(rows.map((r) => r.site))].sort();
  const bySite = sites.map((s) => {
    const mine = rows.filter((r) => r.site === s);
    const ms = mine.map((r) => r.month).sort();
    return [s, formatInt(mine.reduce((n, r) => n + r.n, 0)), monthName(ms[0]), monthName(ms.at(-1))];
  });
  return section(
    'accrual',
    'Accrual',
    `${formatInt(rows.reduce((n, r) => n + r.n, 0))} patients randomised, ${monthName(months[0])} to ${monthName(months.at(-1))}.`,
    accrualChart(rows, months),
    table(['Site', 'Randomised', 'First', 'Latest'], bySite, { num: [1], testid: 'accrual-sites' }),
  );
}

/** Cumulative randomisations by calendar month. */
function accrualChart(rows, months) {
  if (!months.length) return null;
  const all = monthRange(months[0], months.at(-1));
  const per = new Map();
  for (const r of rows) per.set(r.month, (per.get(r.month) ?? 0) + r.n);
  let total = 0;
  const cum = all.map((m) => (total += per.get(m) ?? 0));
  const xs = all.map((m) => Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)) - 1, 15) / 1000);
  const plot = h('div', { class: 'accrual-plot' });
  const chart = new uPlot(
    {
      width: 600,
      height: 220,
      legend: { show: false },
      cursor: { y: false, points: { show: false }, drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (u, lo, hi) => [0, Math.max(10, Math.ceil(hi * 1.1))] } },
      axes: [{ ...AXIS }, { label: 'Patients (cumulative)', size: 60, ...AXIS }],
      series: [
        {},
        {
          label: 'cumulative',
          stroke: '#374151',
          width: 2,
          fill: 'rgba(55,65,81,0.08)',
          paths: uPlot.paths.stepped({ align: 1 }),
          points: { show: false },
        },
      ],
    },
    [xs, cum],
    plot,
  );
  follow(plot, chart);
  return h('figure', { class: 'accrual', 'data-testid': 'accrual' }, plot);
}

function monthRange(from, to) {
  const out = [];
  let [y, m] = from.split('-').map(Number);
  const [ty, tm] = to.split('-').map(Number);
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    if (++m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

function monthName(ym) {
  return ym ? formatDate(`${ym}-01`).replace(/^1 /, '') : DASH;
}
