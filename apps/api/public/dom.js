// Tiny DOM helpers. Every value from the API goes in as text (textContent), never as HTML.

/** h('td', { class: 'num' }, 'text', childNode, ...) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'style') el.setAttribute('style', v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** svg('rect', { x: 0, width: 10 }, child, 'text', ...): an SVG element, every value set as text. */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** A section with a heading and an optional note under it. */
export function section(id, title, note, ...body) {
  return h('section', { class: 'panel', id }, h('h2', {}, title), note ? h('p', { class: 'note' }, note) : null, ...body);
}

/** A simple table: headers, then rows of cells (strings or nodes); `num` marks right-aligned columns. */
export function table(headers, rows, opts = {}) {
  const num = new Set(opts.num ?? []);
  return h(
    'table',
    { class: opts.class ?? 'grid', 'data-testid': opts.testid },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((t, i) => h('th', { class: num.has(i) ? 'num' : null, scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          {},
          r.map((c, i) =>
            h(i === 0 && opts.rowHeader ? 'th' : 'td', { class: num.has(i) ? 'num' : null, scope: i === 0 && opts.rowHeader ? 'row' : null }, c),
          ),
        ),
      ),
    ),
  );
}

/** A headline figure: label, value, and a smaller line under it. */
export function stat(label, value, sub, testid) {
  return h(
    'div',
    { class: 'stat' },
    h('div', { class: 'stat-label' }, label),
    h('div', { class: 'stat-value', 'data-testid': testid }, value),
    sub ? h('div', { class: 'stat-sub' }, sub) : null,
  );
}

export function swatch(color) {
  return h('span', { class: 'swatch', style: `background:${color}` });
}
