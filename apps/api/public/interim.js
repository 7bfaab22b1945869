// The interim monitoring chart: the Lan-DeMets efficacy boundary at each look so far and the
// observed log-rank z at the current information fraction.
import { h, table } from './dom.js';
import { fixed, formatP } from './format.js';
import { follow } from './km.js';

const BOUNDARY = '#111827';
const OBSERVED = '#D55E00';

export function interimFigure(report) {
  const looks = [...(report.looks ?? [])].sort((a, b) => a.info - b.info);
  const xs = looks.map((l) => l.info);
  const current = report.informationFraction;
  const z = report.logRankZ;
  let obsIndex = xs.findIndex((x) => Math.abs(x - current) < 1e-9);
  if (obsIndex < 0 && typeof current === 'number') {
    xs.push(current);
    xs.sort((a, b) => a - b);
    obsIndex = xs.indexOf(current);
  }
  const boundaryAt = (x) => looks.find((l) => Math.abs(l.info - x) < 1e-9)?.z ?? null;
  const upper = xs.map(boundaryAt);
  const lower = xs.map((x) => (report.sided === 2 && boundaryAt(x) !== null ? -boundaryAt(x) : null));
  const observed = xs.map((_, i) => (i === obsIndex && typeof z === 'number' ? z : null));
  const zMax = Math.max(4, ...upper.filter((v) => v !== null).map((v) => Math.ceil(v + 0.5)), Math.ceil(Math.abs(z ?? 0) + 0.5));
  const plot = h('div', { class: 'interim-plot' });
  const fig = h('figure', { class: 'interim', 'data-testid': 'interim' },
    h('div', { class: 'legend' },
      h('span', { class: 'legend-item' }, h('span', { class: 'legend-line', style: `background:${BOUNDARY}` }), `Efficacy boundary (${spendingName(report.spending)}, α = ${fixed(report.alpha, 3)}, ${report.sided === 2 ? 'two' : 'one'}-sided)`),
      h('span', { class: 'legend-item' }, h('span', { class: 'legend-dot', style: `background:${OBSERVED}` }), 'Observed log-rank z')),
    plot);
  const chart = new uPlot({
    width: 600, height: 260, legend: { show: false },
    cursor: { y: false, points: { show: false }, drag: { x: false, y: false } },
    scales: { x: { time: false, range: [0, 1] }, y: { range: [-zMax, zMax] } },
    axes: [
      { label: 'Information fraction (deaths / planned deaths)', size: 34, labelSize: 22, splits: () => [0, 0.2, 0.4, 0.6, 0.8, 1], values: (u, v) => v.map((x) => x.toFixed(1)), ...axis },
      { label: 'z', size: 56, ...axis },
    ],
    series: [{},
      { label: 'boundary', stroke: BOUNDARY, width: 1.5, spanGaps: true, points: { show: true, size: 7, fill: BOUNDARY } },
      { label: 'lower boundary', stroke: BOUNDARY, width: 1.5, dash: [4, 4], spanGaps: true, points: { show: true, size: 7, fill: '#fff' } },
      { label: 'observed z', stroke: OBSERVED, width: 0, paths: () => null, points: { show: true, size: 11, fill: OBSERVED, stroke: OBSERVED } }],
  }, [xs, upper, lower, observed], plot);
  follow(plot, chart);
  fig.chart = chart;
  return fig;
}

const axis = { font: '12px system-ui, sans-serif', labelFont: '600 12px system-ui, sans-serif', stroke: '#374151', grid: { stroke: '#e5e7eb', width: 1 }, ticks: { stroke: '#9ca3af', width: 1, size: 4 } };

function spendingName(s) {
  return s === 'obrien-fleming' ? "O'Brien-Fleming-type spending" : s === 'pocock' ? 'Pocock-type spending' : String(s ?? 'alpha spending');
}

/** The looks as a table, for the printed report (a chart alone is hard to read off). */
export function interimTable(report) {
  const looks = [...(report.looks ?? [])].sort((a, b) => a.info - b.info);
  const rows = looks.map((l, i) => {
    const isCurrent = i === looks.length - 1;
    return [String(i + 1), fixed(l.info, 3), String(Math.round(l.info * report.plannedEvents)), fixed(l.z, 3), formatP(l.nominalP), fixed(l.cumulativeAlpha, 4),
      isCurrent ? fixed(report.logRankZ, 3) : '', isCurrent ? crossText(report.crosses) : ''];
  });
  return table(['Look', 'Information', 'Deaths', 'Boundary |z|', 'Nominal P', 'Cumulative α', 'Observed z', 'Crosses'], rows, { num: [0, 1, 2, 3, 4, 5, 6], testid: 'interim-table' });
}

function crossText(c) {
  return c === true ? 'Yes' : c === false ? 'No' : '—';
}
