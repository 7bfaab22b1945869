// Kaplan-Meier plot (uPlot) with pointwise confidence bands, censoring ticks and a
// number-at-risk table aligned under the x axis ticks, as in a journal figure.
import { h } from './dom.js';
import { DAYS_PER_MONTH, toMonths } from './format.js';

/**
 * curves: [{ label, color, band, rows: stats-cli km rows }]; atRisk: { months, rows: [{ label, color, nRisk }] }.
 * Returns the element; charts resize with their container.
 */
export function kmFigure(curves, atRisk, opts = {}) {
  const root = h('figure', {
    class: 'km',
    'data-testid': opts.testid ?? 'km',
    'data-curves': String(curves.length),
    'data-labels': curves.map((c) => c.label).join('|'),
  });
  const plot = h('div', { class: 'km-plot' });
  const table = h('div', { class: 'atrisk', 'data-testid': 'at-risk' });
  root.append(legend(curves), plot, table);
  const maxMonths = Math.max(6, ...atRisk.months, ...curves.map((c) => toMonths(c.rows.at(-1)?.time ?? 0)));
  const step = maxMonths > 96 ? 12 : 6;
  const xMax = Math.ceil(maxMonths / step) * step;
  const data = alignedData(curves);
  const bands = [];
  const series = [{}];
  curves.forEach((c, i) => {
    const base = 1 + 3 * i;
    series.push({ label: c.label, stroke: c.color, width: 2, paths: stepped(), points: { show: false } });
    series.push({ label: `${c.label} lower`, stroke: 'transparent', width: 0, paths: stepped(), points: { show: false } });
    series.push({ label: `${c.label} upper`, stroke: 'transparent', width: 0, paths: stepped(), points: { show: false } });
    bands.push({ series: [base + 2, base + 1], fill: c.band });
  });
  const chart = new uPlot(
    {
      width: 800,
      height: opts.height ?? 340,
      series,
      bands,
      legend: { show: false },
      cursor: { y: false, points: { show: false }, drag: { x: false, y: false } },
      scales: { x: { time: false, range: [0, xMax] }, y: { range: [0, 100] } },
      axes: [
        {
          label: 'Months since randomisation',
          size: 34,
          labelSize: 22,
          splits: () => range(0, xMax, step),
          values: (u, v) => v.map(String),
          ...AXIS,
        },
        { label: 'Survival (%)', size: 72, splits: () => [0, 20, 40, 60, 80, 100], values: (u, v) => v.map(String), ...AXIS },
      ],
      hooks: { draw: [(u) => drawCensorTicks(u, curves)], setSize: [(u) => placeAtRisk(u, table, atRisk)] },
    },
    data,
    plot,
  );
  follow(plot, chart);
  // Positions need the chart in the document: place again once it is laid out.
  requestAnimationFrame(() => placeAtRisk(chart, table, atRisk));
  root.chart = chart;
  return root;
}

/** The charts' axes: one type and colour for every figure. */
export const AXIS = {
  font: '12px system-ui, sans-serif',
  labelFont: '600 12px system-ui, sans-serif',
  stroke: '#374151',
  grid: { stroke: '#e5e7eb', width: 1 },
  ticks: { stroke: '#9ca3af', width: 1, size: 4 },
};

const stepped = () => uPlot.paths.stepped({ align: 1 });
const range = (from, to, by) => Array.from({ length: Math.floor((to - from) / by) + 1 }, (_, i) => from + i * by);

function legend(curves) {
  return h(
    'div',
    { class: 'legend' },
    curves.map((c) => h('span', { class: 'legend-item' }, h('span', { class: 'legend-line', style: `background:${c.color}` }), c.label)),
    h('span', { class: 'legend-item muted' }, h('span', { class: 'legend-band' }), 'shaded: 95% CI'),
    h('span', { class: 'legend-item muted' }, h('span', { class: 'legend-tick' }), 'censored'),
  );
}

/**
 * uPlot wants every series on one x vector: the union of all curves' times (plus 0), each
 * curve carried forward (a KM estimate is a step function) and ended after its last time.
 */
function alignedData(curves) {
  const days = [...new Set([0, ...curves.flatMap((c) => c.rows.map((r) => r.time))])].sort((a, b) => a - b);
  const out = [days.map(toMonths)];
  for (const c of curves) {
    const s = [],
      lo = [],
      hi = [];
    const last = c.rows.at(-1)?.time ?? 0;
    let j = -1;
    for (const t of days) {
      while (j + 1 < c.rows.length && c.rows[j + 1].time <= t) j++;
      const r = j >= 0 ? c.rows[j] : null;
      const beyond = t > last;
      s.push(beyond ? null : r ? pct(r.survival) : 100);
      lo.push(beyond ? null : r ? pct(r.lower) : 100);
      hi.push(beyond ? null : r ? pct(r.upper) : 100);
    }
    out.push(s, lo, hi);
  }
  return out;
}

const pct = (x) => (typeof x === 'number' ? 100 * x : null);

/** Short vertical ticks where patients were censored, as survival plots mark them. */
function drawCensorTicks(u, curves) {
  const ctx = u.ctx;
  const px = devicePixelRatio || 1;
  ctx.save();
  curves.forEach((c) => {
    ctx.strokeStyle = c.color;
    ctx.lineWidth = 1.25 * px;
    ctx.beginPath();
    for (const r of c.rows) {
      if (!(r.nCensor > 0) || typeof r.survival !== 'number') continue;
      const x = u.valToPos(toMonths(r.time), 'x', true);
      const y = u.valToPos(100 * r.survival, 'y', true);
      ctx.moveTo(x, y - 4 * px);
      ctx.lineTo(x, y + 4 * px);
    }
    ctx.stroke();
  });
  ctx.restore();
}

/** Numbers at risk, each centred under its x tick; arm labels in the y axis gutter. */
function placeAtRisk(u, el, atRisk) {
  el.replaceChildren(h('div', { class: 'atrisk-title' }, 'Number at risk'));
  const left = u.over.offsetLeft;
  for (const row of atRisk.rows) {
    const line = h('div', { class: 'atrisk-row', 'data-group': row.label });
    line.append(h('span', { class: 'atrisk-label', style: `width:${Math.max(0, left - 22)}px;color:${row.color}` }, row.label));
    atRisk.months.forEach((m, i) => {
      const x = left + u.valToPos(m, 'x');
      if (x > left + u.over.clientWidth + 1) return;
      line.append(h('span', { class: 'atrisk-n', style: `left:${x}px` }, String(row.nRisk[i] ?? '')));
    });
    el.append(line);
  }
}

/** Keeps a chart as wide as its container (also when printing, via the resize it causes). */
export function follow(container, chart) {
  const fit = () => {
    const w = Math.floor(container.clientWidth);
    if (w > 0 && w !== chart.width) chart.setSize({ width: w, height: chart.height });
  };
  new ResizeObserver(fit).observe(container);
  requestAnimationFrame(fit);
}

/** Number at risk at each month from km rows: R's n.risk at t is the first row at or after t. */
export function atRiskFromKm(rows, months) {
  return months.map((m) => {
    const t = m * DAYS_PER_MONTH;
    const r = rows.find((x) => x.time >= t);
    return r ? r.nRisk : 0;
  });
}

/** 0, 6, 12, ... months up to the longest observed time (libs/readmodel's grid). */
export function monthGrid(rowsList) {
  const maxTime = Math.max(0, ...rowsList.map((rows) => rows.at(-1)?.time ?? 0));
  const out = [];
  for (let m = 0; m * DAYS_PER_MONTH <= maxTime; m += 6) out.push(m);
  return out;
}
