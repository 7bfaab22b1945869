// A candidate's match weight as a waterfall, the chart Splink's users know: the prior first,
// then each field's weight (log2 Bayes factor, from its comparison level) added in turn, then
// the total, which is the match weight log2(posterior odds) and, beside it, the match
// probability 2^w / (1 + 2^w). Figures as the API gives them (GET /reviews/:id); nothing here
// is computed but the running sum the bars stand on.
import { svg } from './dom.js';

const W = 620;
const H = 230;
const TOP = 18;
const BOTTOM = 52;
const LEFT = 36;

/** log2 odds to a probability. */
export const probability = (w) => 1 / (1 + 2 ** -w);

const signed = (w) => `${w >= 0 ? '+' : '−'}${Math.abs(w).toFixed(2)}`;

/**
 * steps: the bars, in order: [{ key, label, sub, weight }]; the first is the prior. total: the
 * candidate's weight as linkage recorded it (each field was rounded to 0.01 bits, so the
 * running sum can differ from it by a few hundredths; the total bar shows the recorded one).
 */
export function waterfall(steps, total, opts = {}) {
  let run = 0;
  const bars = steps.map((s) => {
    const from = run;
    run += s.weight;
    return { ...s, from, to: run };
  });
  bars.push({ key: 'total', label: 'match weight', sub: `P = ${probability(total).toFixed(3)}`, weight: total, from: 0, to: total, total: true });
  const lo = Math.min(0, ...bars.map((b) => Math.min(b.from, b.to))) - 1;
  const hi = Math.max(0, ...bars.map((b) => Math.max(b.from, b.to))) + 1;
  const y = (v) => TOP + ((H - TOP - BOTTOM) * (hi - v)) / (hi - lo);
  const slot = (W - LEFT - 8) / bars.length;
  const g = svg('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': opts.label ?? 'match weight waterfall' });
  const step = Math.max(1, Math.ceil((hi - lo) / 8));
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) {
    g.append(
      svg('line', { x1: LEFT, x2: W - 8, y1: y(v), y2: y(v), stroke: v === 0 ? '#374151' : '#e5e7eb' }),
      svg('text', { x: LEFT - 4, y: y(v) + 3, 'text-anchor': 'end', 'font-size': 10, fill: '#6b7280' }, String(v)),
    );
  }
  g.append(svg('text', { x: 2, y: 10, 'font-size': 10, fill: '#6b7280' }, 'bits (log2 odds)'));
  bars.forEach((b, i) => {
    const x = LEFT + i * slot + slot * 0.15;
    const top = y(Math.max(b.from, b.to));
    const height = Math.max(1, Math.abs(y(b.from) - y(b.to)));
    const fill = b.total ? '#374151' : b.weight >= 0 ? '#0072B2' : '#D55E00';
    const attrs = { x, y: top, width: slot * 0.7, height, fill, 'data-testid': 'waterfall-bar', 'data-key': b.key };
    attrs['data-weight'] = b.weight.toFixed(2);
    g.append(svg('rect', attrs, svg('title', {}, `${b.label}${b.sub ? ` (${b.sub})` : ''}: ${signed(b.weight)} bits`)));
    if (i < bars.length - 1 && !b.total) {
      g.append(svg('line', { x1: x + slot * 0.7, x2: x + slot, y1: y(b.to), y2: y(b.to), stroke: '#9ca3af', 'stroke-dasharray': '2 2' }));
    }
    const cx = x + slot * 0.35;
    g.append(
      svg('text', { x: cx, y: top - 3, 'text-anchor': 'middle', 'font-size': 10 }, b.total ? b.weight.toFixed(2) : signed(b.weight)),
      svg('text', { x: cx, y: H - BOTTOM + 14, 'text-anchor': 'middle', 'font-size': 10, 'font-weight': b.total ? 600 : 400 }, b.label),
      svg('text', { x: cx, y: H - BOTTOM + 27, 'text-anchor': 'middle', 'font-size': 9, fill: '#6b7280' }, b.sub ?? ''),
    );
  });
  const fig = document.createElementNS('http://www.w3.org/1999/xhtml', 'figure');
  fig.className = 'waterfall';
  fig.dataset.testid = 'waterfall';
  fig.dataset.bars = String(bars.length);
  fig.dataset.total = total.toFixed(2);
  fig.append(g);
  return fig;
}
