// The DSMB's forest plot: one row per prespecified subgroup level (n, deaths by arm, the hazard
// ratio with its 95% CI on a log axis) and per variable the arm-by-subgroup interaction P.
// Figures as the API gives them (`subgroups`, the same JSON as `followup stats --subgroups`).
import { h, svg } from './dom.js';
import { formatCi, formatHr, formatInt, formatP } from './format.js';

const W = 260;
const ROW = 22;

/** Log-axis limits covering every CI (at least 0.25 to 4), on powers of two. */
function axisRange(terms) {
  let lo = 0.25,
    hi = 4;
  for (const t of terms) {
    if (t.lower > 0 && Number.isFinite(t.lower)) lo = Math.min(lo, t.lower);
    if (Number.isFinite(t.upper)) hi = Math.max(hi, t.upper);
  }
  return [2 ** Math.max(-6, Math.floor(Math.log2(lo))), 2 ** Math.min(6, Math.ceil(Math.log2(hi)))];
}

/** subgroups: the read-out's; arms: the arms in read-out order (reference first). */
export function forestPlot(subgroups, arms) {
  const terms = subgroups.flatMap((s) => s.levels.map((l) => l.cox?.terms?.[0]).filter(Boolean));
  const [lo, hi] = axisRange(terms);
  const x = (v) => ((W - 20) * (Math.log(Math.min(hi, Math.max(lo, v))) - Math.log(lo))) / (Math.log(hi) - Math.log(lo)) + 10;
  const cell = (t) => {
    const g = svg(
      'svg',
      { width: W, height: ROW, viewBox: `0 0 ${W} ${ROW}`, class: 'forest-cell' },
      svg('line', { x1: x(1), x2: x(1), y1: 0, y2: ROW, stroke: '#9ca3af', 'stroke-dasharray': '3 3' }),
    );
    if (!t) return g;
    const clipped = t.lower < lo || t.upper > hi;
    g.append(
      svg('line', { x1: x(t.lower), x2: x(t.upper), y1: ROW / 2, y2: ROW / 2, stroke: '#111827', 'stroke-width': 1.5 }),
      svg('rect', { x: x(t.hazardRatio) - 4, y: ROW / 2 - 4, width: 8, height: 8, fill: clipped ? '#6b7280' : '#0072B2' }),
    );
    return g;
  };
  const head = [
    'Subgroup',
    'Patients',
    ...arms.map((a) => `Deaths/patients, ${a}`),
    'Hazard ratio (95% CI)',
    `HR (log scale), ${arms[1] ?? ''} vs ${arms[0] ?? ''}`,
  ];
  const body = [];
  for (const s of subgroups) {
    body.push(
      h(
        'tr',
        { class: 'forest-variable', 'data-testid': 'forest-variable', 'data-variable': s.variable },
        h('th', { scope: 'rowgroup', colspan: String(head.length - 1) }, s.variable),
        h('td', { class: 'muted', 'data-testid': 'interaction-p' }, `interaction P = ${formatP(s.interaction?.pValue)}`),
      ),
    );
    for (const l of s.levels) {
      const t = l.cox?.terms?.[0] ?? null;
      const deaths = arms.map((a) => {
        const g = l.groups.find((x) => x.group === a);
        return h('td', { class: 'num' }, g ? `${formatInt(g.events)}/${formatInt(g.n)}` : '—');
      });
      const attrs = { 'data-testid': 'forest-row', 'data-variable': s.variable, 'data-level': l.level, 'data-hr': t ? String(t.hazardRatio) : '' };
      body.push(
        h(
          'tr',
          attrs,
          h('th', { scope: 'row', class: 'forest-level' }, l.level),
          h('td', { class: 'num' }, formatInt(l.n)),
          ...deaths,
          h('td', { class: 'num' }, t ? `${formatHr(t.hazardRatio)} (${formatCi(t.lower, t.upper)})` : 'not estimable'),
          h('td', {}, cell(t)),
        ),
      );
    }
  }
  const ticks = [];
  // Powers of two, or of four when that would crowd the axis (more than seven labels).
  const by = Math.log2(hi / lo) > 6 ? 4 : 2;
  for (let v = 1; v >= lo - 1e-12; v /= by) ticks.unshift(v);
  for (let v = by; v <= hi + 1e-9; v *= by) ticks.push(v);
  const axis = svg(
    'svg',
    { width: W, height: 30, viewBox: `0 0 ${W} 30`, class: 'forest-axis' },
    svg('line', { x1: 10, x2: W - 10, y1: 4, y2: 4, stroke: '#374151' }),
    ...ticks.map((v) => svg('text', { x: x(v), y: 18, 'text-anchor': 'middle', 'font-size': 10 }, v < 1 ? v.toFixed(v < 0.1 ? 3 : 2) : String(v))),
    svg('text', { x: 10, y: 29, 'font-size': 10 }, `favours ${arms[1] ?? ''}`),
    svg('text', { x: W - 10, y: 29, 'font-size': 10, 'text-anchor': 'end' }, `favours ${arms[0] ?? ''}`),
  );
  body.push(h('tr', {}, h('td', { colspan: String(head.length - 1) }), h('td', {}, axis)));
  return h(
    'figure',
    { class: 'forest', 'data-testid': 'forest' },
    h(
      'table',
      { class: 'grid forest-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          head.map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h('tbody', {}, body),
    ),
  );
}
