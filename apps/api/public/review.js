// The reviewer's screen (reviewer role): the clerical review queue, oldest first, one item at a
// time beside its evidence, and the decision. A decision is POSTed (202: published as
// ReviewDecided); it shows in the queue at once as sent, and as applied once the linkage
// service has applied it and the item has left the open queue (polled, GET /reviews).
// Opening an item is GET /reviews/:id, which the API audits; the list is never shown as detail.
import { ApiError, createApi } from './api.js';
import { h } from './dom.js';
import { formatInstant } from './format.js';
import { reasonOf, renderItem } from './review-item.js';

const POLL_MS = 2000;
const KEYS = [
  ['j / k', 'next / previous item'],
  ['1–9', 'choose a candidate'],
  ['a', 'accept the chosen candidate'],
  ['r', 'reject (no candidate is this person)'],
  ['n', 'write a note'],
  ['Esc', 'leave the note'],
];

function age(iso) {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

/** ctx: { app, controls, foot, signIn(message), fail(error) } from main.js. */
export async function runReviewer(token, who, ctx) {
  const { app, controls } = ctx;
  document.body.dataset.role = who.role;
  const api = createApi(token, (status) => {
    if (status === 401) ctx.signIn('The API did not accept your token (expired or revoked).');
  });
  let queue = [];
  const sent = new Map(); // reviewId -> { decision, patientId, applied, item }
  let selected = null;
  let shown = null; // the item opened (GET /reviews/:id)
  let candidate = 0;
  const status = h('p', { class: 'note', role: 'status', 'data-testid': 'review-status' });
  const note = h('textarea', { id: 'review-note', rows: 2, maxlength: 500, placeholder: 'Note (optional): what you checked', 'aria-label': 'Note' });
  const list = h('ol', { class: 'queue', 'data-testid': 'queue' });
  const detail = h('section', { class: 'panel review-detail', 'data-testid': 'review-detail' });
  const done = h('ul', { class: 'decided', 'data-testid': 'decided' });
  controls.replaceChildren(
    h('span', { class: 'who', title: who.sub }, who.role),
    h(
      'button',
      {
        type: 'button',
        class: 'link',
        onclick: () => {
          ctx.forget();
          location.replace('/');
        },
      },
      'Sign out',
    ),
  );
  app.replaceChildren(
    h(
      'div',
      { class: 'titleblock' },
      h('div', { class: 'kicker' }, 'Clerical review'),
      h('h1', {}, 'Linkage review queue'),
      h('p', { class: 'note' }, 'Identifiers are shown for items in the queue only. Every item you open is audited.'),
    ),
    h(
      'div',
      { class: 'review-layout' },
      h(
        'section',
        { class: 'panel queue-panel' },
        h('h2', {}, 'Open, oldest first'),
        list,
        h('h2', {}, 'Decided here'),
        done,
        h('h2', {}, 'Keys'),
        h(
          'dl',
          { class: 'keys', 'data-testid': 'keys' },
          KEYS.flatMap(([k, what]) => [h('dt', {}, h('kbd', {}, k)), h('dd', {}, what)]),
        ),
      ),
      detail,
    ),
  );

  function drawQueue() {
    list.replaceChildren(
      ...queue.map((it) => {
        const s = sent.get(it.reviewId);
        return h(
          'li',
          {
            'data-testid': 'queue-item',
            'data-review': it.reviewId,
            'data-state': s ? 'sent' : 'open',
            class: it.reviewId === selected ? 'selected' : null,
            'aria-current': it.reviewId === selected ? 'true' : null,
            onclick: () => select(it.reviewId),
          },
          h('span', { class: 'reason', 'data-testid': 'reason' }, reasonOf(it)),
          ' ',
          h('span', { class: 'muted' }, `${it.record.source} ${it.record.kind} · ${it.trialId} · ${age(it.createdAt)} old`),
          s ? h('span', { class: 'sent' }, ` · ${s.decision === 'accept' ? 'accepted' : 'rejected'}, being applied…`) : null,
        );
      }),
    );
    if (!queue.length) list.append(h('li', { class: 'muted', 'data-testid': 'queue-empty' }, 'The queue is empty.'));
    const applied = [...sent.entries()].filter(([, s]) => s.applied);
    done.replaceChildren(
      ...applied.map(([id, s]) =>
        h(
          'li',
          { 'data-testid': 'decided-item', 'data-review': id },
          `${s.decision === 'accept' ? `Linked to ${s.patientId}` : 'Rejected'} · ${reasonOf(s.item)} · applied ${formatInstant(s.applied)}`,
        ),
      ),
    );
  }

  async function poll() {
    const open = await api.get('/reviews', { status: 'open', limit: 500 });
    const ids = new Set(open.map((it) => it.reviewId));
    for (const [id, s] of sent) if (!s.applied && !ids.has(id)) s.applied = new Date().toISOString();
    queue = open;
    if (selected && !ids.has(selected)) select(nextOf(selected), false);
    if (!selected && queue.length) select(queue[0].reviewId, false);
    if (!queue.length) {
      selected = null;
      shown = null;
      detail.replaceChildren(h('p', { class: 'muted' }, 'Nothing to review.'));
    }
    drawQueue();
    document.body.dataset.state = 'ready';
    document.body.dataset.queue = String(queue.length);
  }

  function nextOf(id) {
    const rest = queue.filter((it) => !sent.has(it.reviewId) || it.reviewId === id);
    const i = rest.findIndex((it) => it.reviewId === id);
    return rest[i + 1]?.reviewId ?? rest.find((it) => it.reviewId !== id && !sent.has(it.reviewId))?.reviewId ?? null;
  }

  async function select(id, focus = true) {
    selected = id;
    candidate = 0;
    drawQueue();
    if (!id) return;
    let item;
    try {
      item = await api.get(`/reviews/${encodeURIComponent(id)}`);
    } catch (e) {
      // Decided elsewhere meanwhile (404 once gone from the store is not expected; a 403 is a role change): say so, keep the queue.
      if (selected === id) status.textContent = e instanceof ApiError ? `Could not open it (${e.status}): ${e.message}` : String(e);
      return;
    }
    if (selected !== id) return;
    shown = item;
    note.value = '';
    status.classList.remove('error');
    status.textContent = sent.has(id) ? 'Your decision was sent; the linkage service is applying it.' : '';
    drawDetail();
    if (focus) list.querySelector('[aria-current=true]')?.scrollIntoView({ block: 'nearest' });
  }

  function drawDetail() {
    if (!shown) return;
    const choose = h(
      'fieldset',
      { class: 'choose' },
      h('legend', {}, 'Decision'),
      shown.candidates.map((c, i) =>
        h(
          'label',
          {},
          h('input', {
            type: 'radio',
            name: 'candidate',
            value: String(i),
            checked: i === candidate,
            onchange: () => {
              candidate = i;
              drawDetail();
            },
          }),
          ` ${i + 1}: ${c.patientId} (${c.weight.toFixed(2)})`,
        ),
      ),
      note,
      h(
        'div',
        { class: 'look-actions' },
        h('button', { type: 'button', 'data-testid': 'accept', onclick: () => decide('accept') }, `Accept candidate ${candidate + 1}`),
        h('button', { type: 'button', 'data-testid': 'reject', onclick: () => decide('reject') }, 'Reject'),
      ),
      status,
    );
    detail.replaceChildren(renderItem(shown), choose);
    detail.dataset.candidate = String(candidate);
  }

  async function decide(decision) {
    if (!shown || sent.has(shown.reviewId)) return;
    const item = shown;
    const patientId = decision === 'accept' ? item.candidates[candidate]?.patientId : undefined;
    const body = { decision, ...(patientId ? { patientId } : {}), ...(note.value.trim() ? { note: note.value.trim() } : {}) };
    try {
      const res = await api.post(`/reviews/${encodeURIComponent(item.reviewId)}/decision`, body);
      sent.set(item.reviewId, { decision, patientId: res.patientId, applied: null, item });
      status.textContent = `${decision === 'accept' ? 'Accepted' : 'Rejected'}; being applied.`;
      drawQueue();
      const next = nextOf(item.reviewId);
      if (next) await select(next);
    } catch (e) {
      status.textContent = e instanceof ApiError ? `Not accepted (${e.status}): ${e.message}` : String(e);
      status.classList.add('error');
    }
  }

  addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target === note) {
      if (e.key === 'Escape') note.blur();
      return;
    }
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) return;
    const open = queue.map((it) => it.reviewId);
    const at = open.indexOf(selected);
    if (e.key === 'j' && at < open.length - 1) select(open[at + 1]);
    else if (e.key === 'k' && at > 0) select(open[at - 1]);
    else if (/^[1-9]$/.test(e.key) && shown && Number(e.key) <= shown.candidates.length) {
      candidate = Number(e.key) - 1;
      drawDetail();
    } else if (e.key === 'a') decide('accept');
    else if (e.key === 'r') decide('reject');
    else if (e.key === 'n') {
      e.preventDefault();
      note.focus();
    } else return;
    e.preventDefault();
  });

  await poll();
  const timer = setInterval(() => {
    poll().catch((e) => {
      if (e instanceof ApiError && e.status === 401) clearInterval(timer);
      else status.textContent = `Could not refresh the queue: ${e?.message ?? e}`;
    });
  }, POLL_MS);
}
