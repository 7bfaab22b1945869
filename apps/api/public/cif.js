// Cumulative incidence by arm for one endpoint (Aalen-Johansen, as the API's competingRisks
// gives it) with the competing cause drawn too: the CIF of death from other causes is
// 1 - S(t) - CIF(t), S the all-cause Kaplan-Meier of the same arm (the CIFs of all causes sum
// to 1 - KM of any event), dashed in the arm's colour.
import { h } from './dom.js';
import { follow } from './km.js';
import { toMonths } from './format.js';

/** Value of a step function (rows ascending by time) at t: the last row at or before t. */
function stepAt(rows, t, field, start) {
  let v = start;
  for (const r of rows) {
    if (r.time > t) break;
    v = r[field];
  }
  return v;
}

/** cr: the endpoint's competingRisks; groups: the read-out's groups with colours (their km rows). */
export function cifFigure(code, name, cr, groups) {
  const curves = cr.groups.map((g) => {
    const arm = groups.find((x) => x.group === g.group);
    return { ...g, color: arm?.color ?? '#111827', km: arm?.km ?? [] };
  });
  const days = [...new Set([0, ...curves.flatMap((c) => c.cif.map((r) => r.time))])].sort((a, b) => a - b);
  const data = [days.map(toMonths)];
  const series = [{}];
  let top = 0;
  for (const c of curves) {
    const last = c.cif.at(-1)?.time ?? 0;
    const own = days.map((t) => (t > last ? null : 100 * stepAt(c.cif, t, 'estimate', 0)));
    const other = days.map((t, i) => (t > last ? null : Math.max(0, 100 * (1 - stepAt(c.km, t, 'survival', 1)) - own[i])));
    top = Math.max(top, ...own.filter((v) => v !== null), ...other.filter((v) => v !== null));
    data.push(own, other);
    series.push({ label: `${c.group}: ${name}`, stroke: c.color, width: 2, paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } });
    series.push({
      label: `${c.group}: other causes`,
      stroke: c.color,
      width: 1.5,
      dash: [6, 4],
      paths: uPlot.paths.stepped({ align: 1 }),
      points: { show: false },
    });
  }
  const yMax = Math.max(10, Math.ceil(top / 10) * 10);
  const xMax = Math.ceil(Math.max(6, toMonths(days.at(-1) ?? 0)) / 12) * 12;
  const labels = series
    .slice(1)
    .map((s) => s.label)
    .join('|');
  const root = h('figure', { class: 'km cif', 'data-testid': `cif-${code}`, 'data-curves': String(series.length - 1), 'data-labels': labels });
  const plot = h('div', { class: 'km-plot' });
  root.append(
    h(
      'div',
      { class: 'legend' },
      curves.map((c) => [
        h('span', { class: 'legend-item' }, h('span', { class: 'legend-line', style: `background:${c.color}` }), `${c.group}: ${name}`),
        h(
          'span',
          { class: 'legend-item' },
          h('span', { class: 'legend-line legend-dashed', style: `border-color:${c.color}` }),
          `${c.group}: other causes`,
        ),
      ]),
    ),
    plot,
  );
  const axis = {
    font: '12px system-ui, sans-serif',
    labelFont: '600 12px system-ui, sans-serif',
    stroke: '#374151',
    grid: { stroke: '#e5e7eb', width: 1 },
  };
  const chart = new uPlot(
    {
      width: 800,
      height: 300,
      series,
      legend: { show: false },
      cursor: { y: false, points: { show: false }, drag: { x: false, y: false } },
      scales: { x: { time: false, range: [0, xMax] }, y: { range: [0, yMax] } },
      axes: [
        { label: 'Months since randomisation', size: 34, ...axis },
        { label: 'Cumulative incidence (%)', size: 72, ...axis },
      ],
    },
    data,
    plot,
  );
  follow(plot, chart);
  root.chart = chart;
  return root;
}
