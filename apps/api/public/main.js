// Boot: sign in, pick the trial, draw the view for the token's role, keep it live over SSE.
import { ApiError, createApi } from './api.js';
import { h } from './dom.js';
import { formatInstant, formatInt } from './format.js';
import { loadDsmb, renderDsmb } from './dsmb.js';
import { loadMonitor, renderMonitor } from './monitor.js';
import { runReviewer } from './review.js';
import { trialList, titleOf } from './model.js';
import { beginSignIn, completeSignIn, keepSessionAlive, renewSession, signInConfig } from './oidc.js';
import { claims, forgetToken, signedInByProvider, storedRefreshToken, storedToken, storeSignedIn, storeToken, takeTokenFromUrl } from './session.js';

const app = document.getElementById('app');
const controls = document.getElementById('controls');
const foot = document.getElementById('foot');
const banner = document.getElementById('print-banner');

const VIEWS = {
  dsmb: {
    load: loadDsmb,
    render: renderDsmb,
    name: 'DSMB closed report',
    note: 'Unblinded. For members of the Data and Safety Monitoring Board only. Every read is audited.',
  },
  monitor: {
    load: loadMonitor,
    render: renderMonitor,
    name: 'Trial monitoring (blinded)',
    note: 'Pooled figures across all arms. No comparison between arms is shown.',
  },
};

takeTokenFromUrl();
// A return from the identity provider's login page is completed (and its code taken out of the URL) first.
completeSignIn().then(
  (back) => {
    if (back?.token) storeSignedIn(back.token, back.principal, back.refreshToken);
    start(back?.error);
  },
  () => start('Sign-in failed: the API could not be reached.'),
);
// A sign-in link opened in a tab already on this page changes only the fragment, which loads
// nothing: take the token and start again with it.
addEventListener('hashchange', () => {
  if (takeTokenFromUrl()) location.reload();
});

// Paper is narrower than the screen: redraw the charts at the printable width (A4 less the
// margins in app.css) before printing, and at the window's width after.
const PRINT_WIDTH = 700;
addEventListener('beforeprint', () => resizeCharts(() => PRINT_WIDTH));
addEventListener('afterprint', () => resizeCharts((fig) => fig.clientWidth));

function resizeCharts(width) {
  for (const fig of document.querySelectorAll('figure')) {
    if (fig.chart) fig.chart.setSize({ width: Math.floor(width(fig)), height: fig.chart.height });
  }
}

function start(message) {
  const token = storedToken();
  if (!token) return signIn(message);
  const c = claims(token);
  if (!c) return signIn('That is not a followup token.');
  if (c.exp !== null && c.exp * 1000 < Date.now()) {
    // A provider's session with a refresh token is renewed first (a tab left overnight).
    if (signedInByProvider() && storedRefreshToken()) {
      return void renewSession().then((ok) => (ok ? start() : signIn('Your session has expired: sign in again.')));
    }
    return signIn(signedInByProvider() ? 'Your session has expired: sign in again.' : 'Your token has expired: ask for a new one.');
  }
  // Renewed silently while the page runs; every request takes the current token. A new role is a new page.
  keepSessionAlive((role) => {
    if (role !== c.role) location.reload();
  });
  const current = () => storedToken() ?? token;
  // The reviewer's screen is the review queue, not a trial's read-out.
  if (c.role === 'reviewer') return runReviewer(current, c, { app, controls, signIn, fail, forget: forgetToken }).catch(fail);
  const view = VIEWS[c.role];
  if (!view) return signIn(`The ${c.role} role has no dashboard view; use a monitor or dsmb token.`);
  run(current, c, view).catch(fail);
}

function signIn(message) {
  forgetToken();
  document.body.dataset.state = 'signed-out';
  controls.replaceChildren();
  const input = h('textarea', { id: 'token', rows: 4, placeholder: 'eyJhbGciOi…', autocomplete: 'off', spellcheck: 'false', 'aria-label': 'Token' });
  const form = h(
    'form',
    {
      class: 'signin panel',
      onsubmit: (e) => {
        e.preventDefault();
        if (input.value.trim()) {
          storeToken(input.value);
          start();
        }
      },
    },
    h('h1', {}, 'Sign in'),
    h('p', {}, 'Paste the token you were given (', h('code', {}, 'npx followup token --role dsmb'), ' or ', h('code', {}, '--role monitor'), ').'),
    message ? h('p', { class: 'error', role: 'alert' }, message) : null,
    input,
    h('button', { type: 'submit' }, 'Sign in'),
  );
  app.replaceChildren(form);
  signInConfig().then((cfg) => {
    if (cfg && form.isConnected) {
      form.insertBefore(
        h('button', { type: 'button', 'data-testid': 'oidc-sign-in', onclick: () => beginSignIn(cfg) }, 'Sign in with your organisation'),
        form.children[1],
      );
    }
  });
}

async function run(token, who, view) {
  document.body.dataset.role = who.role;
  const api = createApi(token, (status) => {
    if (status === 401) {
      signIn('The API did not accept your token (expired or revoked).');
    }
  });
  const trials = trialList(await api.get('/trials'));
  if (!trials.length) {
    app.replaceChildren(h('p', { class: 'panel muted' }, 'No trial is registered yet.'));
    document.body.dataset.state = 'ready';
    return;
  }
  const url = new URL(location.href);
  let trialId = trials.some((t) => t.id === url.searchParams.get('trial')) ? url.searchParams.get('trial') : trials[0].id;
  let asOf = null;
  let live = 'connecting';
  let stop = null;
  let pending = null;
  let generation = 0;

  const liveBadge = h('span', { class: 'live', 'data-testid': 'live' });
  const setLive = (s) => {
    live = s;
    liveBadge.textContent = asOf ? 'Frozen look' : { live: '● Live', reconnecting: 'Reconnecting…', off: 'Not live', connecting: 'Connecting…' }[s];
    liveBadge.dataset.state = asOf ? 'frozen' : s;
  };

  const trialSelect = h(
    'select',
    {
      'aria-label': 'Trial',
      onchange: () => {
        trialId = trialSelect.value;
        history.replaceState(null, '', `/?trial=${encodeURIComponent(trialId)}`);
        connect();
        refresh();
      },
    },
    trials.map((t) => h('option', { value: t.id, selected: t.id === trialId }, t.title ? `${t.id} · ${t.title}` : t.id)),
  );
  const asOfInput = h('input', {
    type: 'datetime-local',
    step: 1,
    'aria-label': 'As of',
    onchange: () => {
      asOf = asOfInput.value ? new Date(asOfInput.value).toISOString() : null;
      connect();
      refresh();
    },
  });
  const liveButton = h(
    'button',
    {
      type: 'button',
      class: 'link',
      onclick: () => {
        asOfInput.value = '';
        asOf = null;
        connect();
        refresh();
      },
    },
    'Back to live',
  );
  controls.replaceChildren(
    ...[
      trials.length > 1 ? trialSelect : null,
      who.role === 'dsmb' ? h('label', { class: 'asof' }, 'As of ', asOfInput, liveButton) : null,
      liveBadge,
      h('span', { class: 'who', title: who.sub }, who.role),
      h('button', { type: 'button', class: 'link', onclick: () => window.print() }, 'Print'),
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          onclick: () => {
            forgetToken();
            location.replace('/');
          },
        },
        'Sign out',
      ),
    ].filter(Boolean),
  );

  function connect() {
    stop?.();
    stop = null;
    if (asOf) return setLive('off');
    setLive('connecting');
    stop = api.stream(
      trialId,
      (data) => {
        // The stream opens with the current headline: nothing to redraw if we already show it.
        if (typeof data?.eventsApplied === 'number' && String(data.eventsApplied) === document.body.dataset.eventsApplied) return;
        schedule();
      },
      setLive,
    );
  }

  // Many events can land in a second during a replay: coalesce them, at most one redraw a
  // second (each DSMB read is an audit row, and the page should stay calm to read).
  let lastRefresh = 0;
  function schedule() {
    if (asOf || pending) return;
    const wait = Math.max(300, 1000 - (Date.now() - lastRefresh));
    pending = setTimeout(() => {
      pending = null;
      refresh();
    }, wait);
  }

  async function refresh() {
    const mine = ++generation;
    lastRefresh = Date.now();
    try {
      const data = await view.load(api, trialId, asOf);
      if (mine !== generation) return;
      draw(data);
    } catch (e) {
      if (mine === generation) fail(e);
    }
  }

  function draw(data) {
    const { readout, trial } = data;
    const scrollY = window.scrollY;
    for (const el of app.querySelectorAll('figure')) el.chart?.destroy();
    const title = titleOf(trial, trialId);
    const lookAt = readout.asOf ?? asOf;
    const meta = h(
      'p',
      { class: 'meta' },
      h('span', {}, `Trial ${trialId}`),
      h('span', {}, `Data as of ${lookAt ? formatInstant(lookAt) : 'now'}${asOf ? ' (earlier look)' : ''}`),
      typeof readout.eventsApplied === 'number' ? h('span', {}, `${formatInt(readout.eventsApplied)} events applied`) : null,
    );
    app.replaceChildren(
      h('div', { class: 'titleblock' }, h('div', { class: 'kicker' }, view.name), h('h1', {}, title), meta, h('p', { class: 'note' }, view.note)),
      ...view.render(data),
    );
    banner.textContent = `${view.name} · ${title} · data as of ${lookAt ? formatInstant(lookAt) : formatInstant(new Date().toISOString())} · CONFIDENTIAL`;
    foot.textContent = `Printed or viewed ${formatInstant(new Date().toISOString())} by ${who.sub || who.role}. Figures from the trial-followup read models; survival methods as R survival 3.5.`;
    window.scrollTo(0, scrollY);
    document.body.dataset.state = 'ready';
    document.body.dataset.draws = String(Number(document.body.dataset.draws ?? 0) + 1);
    document.body.dataset.eventsApplied = String(readout.eventsApplied ?? '');
  }

  connect();
  await refresh();
}

function fail(e) {
  if (e instanceof ApiError && e.status === 401) return; // the sign-in form is already showing
  document.body.dataset.state = 'error';
  const msg =
    e instanceof ApiError
      ? e.status === 403
        ? `Your role may not see this: ${e.message}`
        : `The API answered ${e.status}: ${e.message}`
      : `Could not load the read-out: ${e?.message ?? e}`;
  app.replaceChildren(h('p', { class: 'panel error', role: 'alert' }, msg));
}
