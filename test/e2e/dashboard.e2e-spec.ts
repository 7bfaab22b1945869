/// <reference lib="dom" />
// The page.evaluate callbacks run in the browser: they need the DOM types.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { signToken } from '@trial/auth';
import { topicNames } from '@trial/contracts';
import { projectRoot, RunningServices, startServices } from '../../apps/cli/src/supervisor';
import { publishAll } from '../../apps/cli/src/demo/publish';
import { eventually, KAFKA_BROKERS, privateTopics, TEST_DATABASE_URL, testKafka, uniqueId } from '../support';
import { armLeaks, launchChromium } from './support/browser';
import { ALL_DEATHS, ARMS, enrollments, FIRST_DEATHS, firstNotifications, secondNotifications } from './support/dashboard-trial';

/**
 * The dashboard in a real browser against the compiled services: the DSMB sees two KM
 * curves and the API's hazard ratio, live over SSE and at an earlier look; a monitor sees
 * pooled figures only, and no response the page receives carries anything by arm.
 */
const SECRET = 'test-secret-test-secret-test-secret-0123';
const OUT = join(projectRoot(), 'test-output');

interface Readout {
  events: number;
  groups: Array<{ group: string }>;
  cox: { terms: Array<{ hazardRatio: number; lower: number; upper: number }> } | null;
  logRank: { pValue: number } | null;
  stratified?: { cox: { terms: Array<{ hazardRatio: number }> } } | null;
  subgroups?: Array<{ variable: string; levels: Array<{ level: string }> }>;
  endpoints?: Record<string, { competingRisks: { fineGray: { terms: Array<{ hazardRatio: number }> } | null } | null }>;
}

describe('dashboard (browser)', () => {
  const kafka = testKafka();
  const ports = { api: 4330, ingest: 4331, linkage: 4332, projector: 4333 };
  const base = `http://127.0.0.1:${ports.api}`;
  const dsmb = signToken(SECRET, { sub: 'dsmb-chair', role: 'dsmb', ttlSeconds: 600 });
  const monitor = signToken(SECRET, { sub: 'trial-monitor', role: 'monitor', ttlSeconds: 600 });
  const trialId = uniqueId('DASH');
  let services: RunningServices;
  let drop: () => Promise<void>;
  let prefix: string;
  let browser: Browser;

  const api = async <T>(path: string, token: string): Promise<T> => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const survival = (token: string) => api<Readout>(`/trials/${trialId}/survival`, token);
  const deathsShown = (page: Page) => page.locator('[data-testid=deaths]').textContent();

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    ({ prefix, drop } = await privateTopics(kafka, 'dash'));
    services = await startServices(
      {
        KAFKA_BROKERS,
        DATABASE_URL: TEST_DATABASE_URL,
        TOPIC_PREFIX: prefix,
        LOG_LEVEL: 'info',
        NODE_ENV: 'test',
        AUTH_SECRET: SECRET,
      },
      ports,
      join(OUT, 'e2e-logs', 'dashboard'),
    );
    browser = await launchChromium();
    await publishAll(kafka, topicNames(prefix), enrollments(trialId), firstNotifications(trialId));
    await eventually(
      async () => ((await survival(dsmb)).events === FIRST_DEATHS ? true : undefined),
      `${FIRST_DEATHS} deaths in the read-out`,
      60_000,
    );
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await services?.stop();
    await drop?.();
  });

  it('serves the page and its assets without a token, and the data only with one', async () => {
    for (const path of ['/', '/dashboard/main.js', '/dashboard/app.css', '/dashboard/vendor/uplot.js']) {
      expect((await fetch(`${base}${path}`)).status).toBe(200);
    }
    expect((await fetch(`${base}/dashboard/..%2Fsrc%2Fmain.ts`)).status).toBe(404);
    expect((await fetch(`${base}/trials/${trialId}/survival`)).status).toBe(401);
  });

  it('asks for a token, and refuses one it cannot use', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 700 } });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.waitForSelector('body[data-state=signed-out] form.signin');
    await page.screenshot({ path: join(OUT, 'dashboard-signin.png') });
    // A sign-in link opened on the page already there: only the fragment changes.
    // The reviewer has a screen of its own now (reviewer.e2e-spec.ts); ingest has none.
    await page.goto(`${base}/#token=${signToken(SECRET, { sub: 'clerk', role: 'ingest', ttlSeconds: 60 })}`);
    await page.waitForSelector('form.signin .error');
    expect(await page.locator('form.signin .error').textContent()).toContain('ingest');
    expect(page.url()).toBe(`${base}/`);
    await page.goto('about:blank');
    await page.goto(`${base}/#token=${signToken('another-secret-another-secret-0123456789', { sub: 'x', role: 'dsmb', ttlSeconds: 60 })}`);
    await page.waitForSelector('form.signin .error');
    expect(await page.locator('form.signin .error').textContent()).toContain('did not accept');
    await context.close();
  });

  it('dsmb: two curves, the API hazard ratio, live updates over SSE, and an earlier look', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The old sign-in link, the token in the query, is refused by the server itself.
    expect((await fetch(`${base}/?token=${dsmb}`)).status).toBe(401);
    await page.goto(`${base}/?trial=${encodeURIComponent(trialId)}#token=${dsmb}`);
    await page.waitForSelector('body[data-state=ready]');
    expect(page.url()).not.toContain('token=');
    expect(await deathsShown(page)).toBe(String(FIRST_DEATHS));
    await page.waitForSelector('[data-testid=live][data-state=live]');

    // Between the two batches: the instant the DSMB will look back at.
    const lookBack = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 1500));
    await publishAll(kafka, topicNames(prefix), [], secondNotifications(trialId));
    await page.waitForFunction((n) => document.querySelector('[data-testid=deaths]')?.textContent === String(n), ALL_DEATHS, { timeout: 60_000 });

    const readout = await survival(dsmb);
    expect(readout.events).toBe(ALL_DEATHS);
    const term = readout.cox!.terms[0];
    expect(await page.locator('[data-testid=hr]').textContent()).toBe(term.hazardRatio.toFixed(2));
    const km = page.locator('figure[data-testid=km]');
    expect(await km.getAttribute('data-curves')).toBe('2');
    expect((await km.getAttribute('data-labels'))?.split('|')).toEqual([...ARMS]);
    expect(await strokePixels(page, ['#0072B2', '#D55E00'])).toEqual([expect.any(Number), expect.any(Number)]);
    for (const n of await strokePixels(page, ['#0072B2', '#D55E00'])) expect(n).toBeGreaterThan(100);
    expect(await page.locator('[data-testid=at-risk] .atrisk-row').count()).toBe(2);
    // The stratified HR beside the unstratified, the forest plot, the CV-death CIF.
    const strat = page.locator('[data-testid=stratified]');
    expect(await strat.locator('tbody tr').count()).toBe(2);
    expect(await strat.textContent()).toContain(readout.stratified!.cox.terms[0].hazardRatio.toFixed(2));
    const levels = readout.subgroups!.flatMap((v) => v.levels.map((l) => `${v.variable}=${l.level}`));
    expect(levels.length).toBeGreaterThan(3);
    const rows = await page
      .locator('[data-testid=forest-row]')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-variable')}=${e.getAttribute('data-level')}`));
    expect(rows).toEqual(levels);
    expect(await page.locator('[data-testid=interaction-p]').count()).toBe(readout.subgroups!.length);
    expect(await page.locator('figure[data-testid=forest] rect').count()).toBeGreaterThan(0);
    // The endpoint by its name (GET /trials/:id names it), not its code.
    expect(await page.locator('#endpoint-CVDEATH h2').textContent()).toContain('Cardiovascular death');
    const cif = page.locator('figure[data-testid=cif-CVDEATH]');
    expect(await cif.getAttribute('data-curves')).toBe('4');
    expect(await cif.getAttribute('data-labels')).toContain('other causes');
    const fg = readout.endpoints!.CVDEATH.competingRisks!.fineGray!.terms[0];
    expect(await page.locator('[data-testid=competing-CVDEATH]').textContent()).toContain(fg.hazardRatio.toFixed(2));
    expect(await page.locator('[data-testid=competing-CVDEATH]').textContent()).toMatch(/Gray's test.*Fine-Gray/s);
    await page.waitForTimeout(300); // let the last redraw settle before the picture
    await page.screenshot({ path: join(OUT, 'dashboard-dsmb.png'), fullPage: true });
    // The DSMB's closed report as printed (print stylesheet, charts redrawn at paper width).
    await page.pdf({ path: join(OUT, 'dashboard-dsmb.pdf'), format: 'A4' });

    // As of the instant between the batches: the first batch's figures, frozen.
    await page.evaluate((iso) => {
      const d = new Date(iso);
      const p = (n: number) => String(n).padStart(2, '0');
      const input = document.querySelector<HTMLInputElement>('input[type=datetime-local]')!;
      input.value = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
      input.dispatchEvent(new Event('change'));
    }, lookBack);
    await page.waitForFunction((n) => document.querySelector('[data-testid=deaths]')?.textContent === String(n), FIRST_DEATHS, { timeout: 15_000 });
    expect(await page.locator('[data-testid=live]').getAttribute('data-state')).toBe('frozen');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('before any death: the dsmb page says the read-out is not available yet, and the monitor page still draws', async () => {
    const early = uniqueId('DASH0');
    await publishAll(kafka, topicNames(prefix), enrollments(early), []);
    await eventually(
      async () => ((await fetch(`${base}/trials/${early}`, { headers: { authorization: `Bearer ${monitor}` } })).ok ? true : undefined),
      `${early} projected`,
      60_000,
    );
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/?trial=${encodeURIComponent(early)}#token=${dsmb}`);
    await page.waitForSelector('body[data-state=ready]');
    const shown = await page.locator('[data-testid=unavailable]').count();
    const readout = await fetch(`${base}/trials/${early}/survival`, { headers: { authorization: `Bearer ${dsmb}` } });
    // Whether Cox with no deaths is a 422 or a read-out with null comparison is the API's call: either way the page draws.
    if (readout.status === 422) expect(shown).toBe(1);
    else expect(readout.status).toBe(200);
    await page.goto('about:blank');
    await page.goto(`${base}/?trial=${encodeURIComponent(early)}#token=${monitor}`);
    await page.waitForSelector('body[data-state=ready]');
    expect(await deathsShown(page)).toBe('0');
    await context.close();
  });

  it('monitor: pooled curve only; no arm comparison in the DOM or in any response the page received', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    // EventSource bodies never complete, so record SSE messages inside the page as they arrive.
    await context.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __sse: string[] }).__sse = seen;
      const Native = window.EventSource;
      window.EventSource = class extends Native {
        constructor(url: string | URL, init?: EventSourceInit) {
          super(url, init);
          for (const type of ['message', 'readout', 'change', 'update'])
            this.addEventListener(type, (e) => seen.push((e as MessageEvent<string>).data));
        }
      };
    });
    const page = await context.newPage();
    const bodies: Array<{ url: string; body: string }> = [];
    const requested: string[] = [];
    const urls: string[] = [];
    page.on('request', (r) => {
      requested.push(new URL(r.url()).pathname);
      urls.push(r.url());
    });
    page.on('response', async (r) => {
      if (r.url().includes('/stream')) return;
      bodies.push({ url: r.url(), body: await r.text().catch(() => '') });
    });
    await page.goto(`${base}/?trial=${encodeURIComponent(trialId)}#token=${monitor}`);
    await page.waitForSelector('body[data-state=ready]');
    await page.waitForFunction(() => (window as unknown as { __sse: string[] }).__sse.length > 0, undefined, { timeout: 15_000 });
    await page.waitForTimeout(300);

    expect(await deathsShown(page)).toBe(String(ALL_DEATHS));
    expect(await page.locator('figure[data-testid=km]').getAttribute('data-curves')).toBe('1');
    // What a person can read, plus every data-, title and aria- attribute (not class names:
    // "controls" is no arm).
    const text = await page.evaluate(() =>
      [
        document.body.textContent ?? '',
        ...Array.from(document.querySelectorAll('*')).flatMap((el) =>
          Array.from(el.attributes)
            .filter((a) => /^(data-|aria-|title$|alt$|value$)/.test(a.name))
            .map((a) => a.value),
        ),
      ].join('\n'),
    );
    for (const label of ARMS) expect(text).not.toContain(label);
    expect(text).not.toMatch(/hazard ratio|log-rank/i);
    // No forest plot, cumulative incidence or stratified comparison on a monitor's page.
    expect(await page.locator('[data-testid=forest], [data-testid^=cif-], [data-testid=stratified], [data-testid^=competing-]').count()).toBe(0);
    expect(text).not.toMatch(/Fine-Gray|Gray's|interaction|stratified/i);

    // Only pooled endpoints were asked for.
    expect(requested.filter((p) => /\/(interim|adtte\.csv|summary|audit)$/.test(p))).toEqual([]);
    // The stream is opened with a one-use ticket; no request carries the
    // token in its URL.
    const streams = urls.filter((u) => new URL(u).pathname.endsWith('/stream'));
    expect(streams.length).toBeGreaterThan(0);
    for (const u of streams) expect(new URL(u).searchParams.get('ticket')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The browser sends no fragment: not even the page's own request carries the token.
    expect(urls.filter((u) => u.includes(monitor) || /access_token=/.test(u))).toEqual([]);
    const json = bodies.filter((b) => b.body.startsWith('{') || b.body.startsWith('['));
    expect(json.map((b) => new URL(b.url).pathname)).toEqual(
      expect.arrayContaining(['/trials', `/trials/${trialId}`, `/trials/${trialId}/survival`]),
    );
    const sse = await page.evaluate(() => (window as unknown as { __sse: string[] }).__sse);
    const leaks = [
      ...json.map((b) => ({ url: b.url, doc: JSON.parse(b.body) as unknown })),
      ...sse.map((s) => ({ url: 'sse', doc: JSON.parse(s) as unknown })),
    ].flatMap(({ url, doc }) => armLeaks(doc, ARMS).map((l) => `${url}: ${l}`));
    expect(leaks).toEqual([]);
    // The monitor's read-out carries the closed figures pooled only (analysis-plan trial).
    const own = JSON.parse(json.find((b) => new URL(b.url).pathname === `/trials/${trialId}/survival`)!.body) as Readout;
    expect(own.stratified).toBeNull();
    expect(own.endpoints?.CVDEATH.competingRisks?.fineGray).toBeNull();
    for (const v of own.subgroups ?? []) for (const l of v.levels) expect(Object.keys(l).sort()).toEqual(['events', 'level', 'n']);
    await page.screenshot({ path: join(OUT, 'dashboard-monitor.png'), fullPage: true });
    await context.close();
  });
});

/** Pixels on the KM canvas drawn in each arm's stroke colour: each curve was really drawn. */
async function strokePixels(page: Page, colors: string[]): Promise<number[]> {
  return page.evaluate((cs) => {
    const canvas = document.querySelector<HTMLCanvasElement>('figure[data-testid=km] canvas')!;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    return cs.map((hex) => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 200 && Math.abs(data[i] - r) < 12 && Math.abs(data[i + 1] - g) < 12 && Math.abs(data[i + 2] - b) < 12) n++;
      }
      return n;
    });
  }, colors);
}
